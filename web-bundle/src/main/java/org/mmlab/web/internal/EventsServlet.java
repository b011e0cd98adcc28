package org.mmlab.web.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The page's live updates as Server-Sent Events ({@code GET /mmlab/events}): each live view of
 * {@link LabViews#live()} as an event named after it whenever its JSON changed, dmesg's new lines as
 * {@code dmesg} events, and a comment now and then so that a closed page is noticed.
 * <p>
 * Rules: (i) one thread, the ticker, writes to every stream, so a page's events never interleave;
 * (ii) a view is computed once per tick for every page, and not at all when no page listens; (iii) a
 * page that joins gets every view and what the dmesg ring holds before any later change; (iv) the
 * ticker ticks every {@value #TICK_MS} ms, or rests twice as long as its last tick took, so that the
 * page of a big guest takes at most a third of a core.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(EventsServlet.PATTERN)
@HttpWhiteboardServletAsyncSupported
public class EventsServlet extends HttpServlet {

    static final String PATTERN = "/mmlab/events";
    static final long TICK_MS = 250;
    private static final long PING_TICKS = 60;
    private static final long serialVersionUID = 1L;

    private final transient LabViews views;
    private final transient ScheduledExecutorService ticker;
    private final transient List<Page> pages = new CopyOnWriteArrayList<>();
    // owned by the ticker thread
    private final transient Map<String, String> lastSent = new LinkedHashMap<>(); // in live()'s order
    private long dmesgMark = -1;
    private long ticks;

    /** One page listening: its async request and stream. */
    private record Page(AsyncContext async, ServletOutputStream out) {}

    @Activate
    public EventsServlet(@Reference LabViews views) {
        this.views = views;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mmlab-web-events");
            t.setDaemon(true);
            return t;
        });
        ticker.schedule(this::tick, TICK_MS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        ticker.shutdownNow();
        pages.forEach(p -> p.async().complete());
        pages.clear();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.flushBuffer();
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        Page page = new Page(async, resp.getOutputStream());
        ticker.execute(() -> join(page));
    }

    private void join(Page page) {
        broadcast(update()); // the pages already listening are brought to now first
        StringBuilder events = new StringBuilder(": mmlab\n\n");
        lastSent.forEach((name, json) -> event(events, name, json));
        try {
            LabViews.Reports ring = views.reports(0);
            List<String> lines = ring.lines();
            int later = (int) Math.min(lines.size(), Math.max(0, ring.next() - dmesgMark)); // for the next tick
            event(events, "dmesg", Json.write(lines.subList(0, lines.size() - later)));
        } catch (LabViews.Unavailable e) {
            // the ring comes with the next tick that can read it
        }
        if (send(page, events.toString())) {
            pages.add(page);
        }
    }

    private void tick() {
        long start = System.nanoTime();
        try {
            if (pages.isEmpty()) {
                lastSent.clear();
                dmesgMark = -1;
                return;
            }
            String changes = update();
            broadcast(++ticks % PING_TICKS == 0 ? changes + ": ping\n\n" : changes);
        } finally {
            // a big guest's map takes long to read (0.2 s at 16 GiB): the ticker rests twice as long as it worked
            long worked = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!ticker.isShutdown()) {
                ticker.schedule(this::tick, Math.max(TICK_MS, 2 * worked), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The events that bring a page from the last views and dmesg mark to now; records the new ones. */
    private String update() {
        StringBuilder events = new StringBuilder();
        views.live().forEach((name, view) -> {
            String json = json(view);
            if (!json.equals(lastSent.put(name, json))) {
                event(events, name, json);
            }
        });
        try {
            LabViews.Reports reports = views.reports(Math.max(dmesgMark, 0));
            if (dmesgMark >= 0 && !reports.lines().isEmpty()) {
                event(events, "dmesg", Json.write(reports.lines()));
            }
            dmesgMark = reports.next();
        } catch (LabViews.Unavailable e) {
            dmesgMark = -1;
        }
        return events.toString();
    }

    private void broadcast(String events) {
        if (!events.isEmpty()) {
            byte[] bytes = events.getBytes(UTF_8);
            pages.removeIf(p -> !send(p, bytes));
        }
    }

    private static String json(Supplier<Object> view) {
        try {
            return Json.write(view.get());
        } catch (LabViews.Unavailable e) {
            return Json.write(Map.of("unavailable", e.getMessage()));
        }
    }

    private static void event(StringBuilder out, String name, String json) {
        out.append("event: ").append(name).append('\n').append("data: ").append(json).append("\n\n");
    }

    /** @return false if the page has gone (its stream is closed), which ends its request */
    private static boolean send(Page page, String text) {
        return send(page, text.getBytes(UTF_8));
    }

    private static boolean send(Page page, byte[] bytes) {
        try {
            page.out().write(bytes);
            page.out().flush();
            return true;
        } catch (IOException | IllegalStateException gone) {
            try {
                page.async().complete();
            } catch (IllegalStateException alreadyComplete) {
                // the container ended it first
            }
            return false;
        }
    }
}
