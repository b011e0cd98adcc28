package org.mmlab.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lab's data as JSON under /mmlab/api/ and as Server-Sent Events at /mmlab/events, as a script or
 * a notebook reads them from a running lab; and where the lab listens by default.
 */
class WebApiJarTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LiveLab lab;
    private static String page;

    @BeforeAll
    static void startTheLab() throws Exception {
        lab = LiveLab.start(Files.createTempDirectory("mmlab-api"));
        page = lab.address("the lab's page: ");
    }

    @AfterAll
    static void stopTheLab() throws Exception {
        lab.close();
    }

    @Test
    void theLabListensOnTheLoopbackInterfaceOnly() {
        assertThat(page).startsWith("http://127.0.0.1:").endsWith("/mmlab/");
    }

    @Test
    void theApiListsItsViews() throws Exception {
        HttpResponse<String> r = get("api/");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(r.body()).contains("\"pageblocks\"", "\"vmstat\"", "\"devices\"", "\"reports\"");
    }

    @Test
    void thePageblockMapCountsEveryPageOfTheDefaultGuestOnce() throws Exception {
        String json = get("api/pageblocks").body();

        Matcher pages = Pattern.compile("\"pages\":\\[([\\d,]+)]").matcher(json);
        List<Integer> sums = new ArrayList<>();
        while (pages.find()) {
            sums.add(Stream.of(pages.group(1).split(",")).mapToInt(Integer::parseInt).sum());
        }
        assertThat(sums).hasSize(4 * 1024 / 2).containsOnly(512); // 4 GiB in 2 MiB pageblocks
        assertThat(json).startsWith("{\"pageblockPages\":512,\"kinds\":[\"FREE\",\"REPORTED\",\"USER\",\"KERNEL\","
                + "\"BALLOON\",\"OFFLINE\",\"ISOLATED\",\"RESERVED\"]");
    }

    @Test
    void aDevicesSizeFollowsTheHostsTarget() throws Exception {
        lab.run("virtio:target 0 256M");

        assertThat(get("api/devices").body()).contains("\"name\":\"0\"", "\"hostTarget\":65536", "\"numPages\":65536");
        assertThat(get("api/pageblocks").body()).contains("\"balloons\":{\"virtio-balloon host 0\":");
        lab.run("virtio:target 0 0");
    }

    @Test
    void onePageblockIsItsPagesOneByOne() throws Exception {
        String json = get("api/pageblocks/0").body();

        assertThat(json).startsWith("{\"pfn\":0,\"zone\":\"DMA32\",\"migratetype\":");
        assertThat(json.split("\"RESERVED\"", -1)).hasSize(256 + 1); // the first MiB is reserved at boot
    }

    @Test
    void whatTheApiDoesNotHaveIsA404SayingWhatIs() throws Exception {
        HttpResponse<String> view = get("api/nope");
        HttpResponse<String> block = get("api/pageblocks/4096");
        HttpResponse<String> notANumber = get("api/pageblocks/x");

        assertThat(view.statusCode()).isEqualTo(404);
        assertThat(view.body()).startsWith("{\"error\":\"no view nope (there are: pageblocks, ");
        assertThat(block.statusCode()).isEqualTo(404);
        assertThat(block.body()).isEqualTo("{\"error\":\"pageblock 4096: the guest has pageblocks 0 to 2047\"}\n");
        assertThat(notANumber.body()).isEqualTo("{\"error\":\"pageblock 'x': give its number, PFN / 512\"}\n");
    }

    @Test
    void theEventStreamStartsWithEveryLiveViewAndTheKernelLog() throws Exception {
        HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(URI.create(page + "events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));

        List<String> events = new ArrayList<>();
        try (Stream<String> lines = r.body()) {
            for (Iterator<String> i = lines.iterator(); i.hasNext() && events.size() < 3;) {
                String line = i.next();
                if (line.startsWith("event: ")) {
                    events.add(line.substring("event: ".length()));
                } else if (line.startsWith("data: ")) {
                    assertThat(line).startsWith(events.get(events.size() - 1).equals("dmesg") ? "data: [" : "data: ");
                }
            }
        }
        assertThat(events).containsExactly("pageblocks", "devices", "dmesg");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(page + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
