package org.mmlab.web.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The lab's state as JSON for scripts and notebooks: {@code GET /mmlab/api/NAME}, one view each
 * ({@link LabViews#views()}), and {@code /mmlab/api/pageblocks/N} one pageblock's pages;
 * {@code /mmlab/api/} lists them. A view that cannot be read now answers
 * 503 with why, an unknown name 404 with the names there are.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(ApiServlet.PATTERN)
public class ApiServlet extends HttpServlet {

    static final String PATTERN = "/mmlab/api/*";
    /** /mmlab/api/pageblocks/N: one pageblock's pages. */
    static final String PAGEBLOCK = "pageblocks/";
    private static final long serialVersionUID = 1L;

    private final transient LabViews views;

    @Activate
    public ApiServlet(@Reference LabViews views) {
        this.views = views;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<String, Supplier<Object>> all = views.views();
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        String name = path.substring(1);
        if (name.isEmpty()) {
            send(resp, 200, Map.of("views", all.keySet()));
            return;
        }
        if (name.startsWith(PAGEBLOCK)) {
            try {
                send(resp, 200, views.pageblock(name.substring(PAGEBLOCK.length())));
            } catch (IllegalArgumentException e) {
                send(resp, 404, Map.of("error", e.getMessage()));
            } catch (LabViews.Unavailable e) {
                send(resp, 503, Map.of("error", e.getMessage()));
            }
            return;
        }
        Supplier<Object> view = all.get(name);
        if (view == null) {
            send(resp, 404, Map.of("error", "no view " + name + " (there are: " + String.join(", ", all.keySet()) + ")"));
            return;
        }
        try {
            send(resp, 200, view.get());
        } catch (LabViews.Unavailable e) {
            send(resp, 503, Map.of("error", e.getMessage()));
        }
    }

    static void send(HttpServletResponse resp, int status, Object value) throws IOException {
        byte[] body = (Json.write(value) + "\n").getBytes(UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
