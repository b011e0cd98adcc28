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
        assertThat(r.body()).isEqualTo("{\"views\":[\"meminfo\",\"vmstat\",\"buddyinfo\",\"freelists\",\"pageblocks\","
                + "\"devices\",\"reports\",\"runs\"]}\n");
    }

    @Test
    void meminfoIsProcMeminfoInKilobytes() throws Exception {
        String json = get("api/meminfo").body();

        assertThat(json).startsWith("{\"MemTotal\":").contains("\"MemFree\":", "\"HugePages_Total\":");
    }

    @Test
    void buddyinfoAndTheFreeListsCountFreeBlocksPerOrder() throws Exception {
        String buddyinfo = get("api/buddyinfo").body();
        String freeLists = get("api/freelists").body();

        assertThat(buddyinfo).matches("\\[\\{\"zone\":\"DMA32\",\"nrFree\":\\[(\\d+,){10}\\d+]}.*\n");
        assertThat(freeLists).contains("{\"zone\":\"DMA32\",\"migratetype\":\"Movable\",\"nrFree\":[");
    }

    @Test
    void everyDriversDevicesAreThereWithTheirSizeAndTarget() throws Exception {
        lab.run("vmw:target 0 64M");

        String devices = get("api/devices").body();

        assertThat(devices).contains("\"driver\":\"virtio-bundle\"", "\"driver\":\"vmware-bundle\"",
                "\"sizeFrames\":16384,\"targetFrames\":16384");
        lab.run("vmw:target 0 0");
    }

    @Test
    void aRaceRunFromTheShellIsOnTheBoardOfRunsWithWhatItsCheckersReported() throws Exception {
        lab.run("lab:race --runs 2 1");

        String runs = get("api/runs").body();

        assertThat(runs).containsPattern("\\{\"id\":\\d+,\"what\":\"lab:race [^\"]+ --runs 2\",\"planned\":2,\"done\":2,"
                + "\"reproduced\":2,\"latest\":\"[^\"]+\",\"reports\":\\[\"BUG: [^\"]+\"[^]]*],\"running\":false}");
    }

    @Test
    void theReportsAreTheCheckersFirstLinesAmongTheKernelLog() throws Exception {
        String reports = get("api/reports").body();

        // the guest the lab runs has reported nothing: its ring holds its boot
        assertThat(reports).startsWith("{\"reports\":[],\"dmesg\":[\"[").contains("] Linux version ");
    }

    @Test
    void aDevicesSizeFollowsTheHostsTarget() throws Exception {
        lab.run("virtio:target 0 256M");

        assertThat(get("api/devices").body()).contains("\"sizeFrames\":65536,\"targetFrames\":65536");
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
        assertThat(view.body()).startsWith("{\"error\":\"no view nope (there are: meminfo, vmstat, ");
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
            for (Iterator<String> i = lines.iterator(); i.hasNext() && events.size() < 5;) {
                String line = i.next();
                if (line.startsWith("event: ")) {
                    events.add(line.substring("event: ".length()));
                } else if (line.startsWith("data: ")) {
                    assertThat(line).startsWith(events.get(events.size() - 1).equals("dmesg") ? "data: [" : "data: ");
                }
            }
        }
        assertThat(events).containsExactly("pageblocks", "freelists", "devices", "runs", "dmesg");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(page + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
