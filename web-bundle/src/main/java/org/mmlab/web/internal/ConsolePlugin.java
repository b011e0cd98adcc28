package org.mmlab.web.internal;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * The lab's page as a tab of the Felix Web Console ("mmlab", /system/console/mmlab), so that a user
 * who came for bundles and configurations finds the memory map beside them.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + ConsolePlugin.LABEL,
    "felix.webconsole.title=Memory map",
    "felix.webconsole.category=mmlab"})
public class ConsolePlugin extends HttpServlet {

    static final String LABEL = "mmlab";
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html");
        resp.setCharacterEncoding("UTF-8");
        resp.getWriter().print("<p>The lab's page, live: <a href=\"" + PageServlet.PATH + "/\" target=\"_blank\">"
                + PageServlet.PATH + "/</a></p>"
                + "<iframe src=\"" + PageServlet.PATH + "/\" style=\"width:100%;height:1500px;border:0\"></iframe>");
    }
}
