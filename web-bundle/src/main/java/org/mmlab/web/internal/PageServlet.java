package org.mmlab.web.internal;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The lab's page: {@code /mmlab/} is index.html, {@code /mmlab} sends the browser there, and the
 * scripts and styles it loads are {@link PageResources}. (The whiteboard takes no pattern that ends
 * with a slash, so this one has all of /mmlab/ but what the API, the events and the resources serve.)
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(PageServlet.PATH + "/*")
public class PageServlet extends HttpServlet {

    static final String PATH = "/mmlab";
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() == null) {
            resp.sendRedirect(req.getRequestURI() + "/");
            return;
        }
        if (!req.getPathInfo().equals("/")) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "the lab's page is /mmlab/");
            return;
        }
        resp.setContentType("text/html");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        try (InputStream page = PageServlet.class.getResourceAsStream("/web/index.html")) {
            page.transferTo(resp.getOutputStream());
        }
    }
}
