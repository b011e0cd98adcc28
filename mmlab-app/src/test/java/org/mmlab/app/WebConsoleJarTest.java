package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Felix Web Console in the lab: behind its password, and its configuration manager refusing a
 * value of the lab's metatype in one line, as the shell does, while a good one takes effect.
 */
class WebConsoleJarTest {

    @TempDir
    Path dir;

    @Test
    void theConfigurationManagerRefusesWhatTheMetatypeDoesNotAllowAndAppliesWhatItDoes() throws Exception {
        try (LiveLab lab = LiveLab.start(dir)) {
            String console = lab.address("the Web Console: ");

            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(console + "/bundles")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);

            HttpResponse<String> bad = apply(console, "org.mmlab.virtio.driver", "vbPtr", "sideways");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("vbPtr &apos;sideways&apos;: not a valid option: give one of per-device, global");
            assertThat(lab.run("virtio:driver")).anyMatch(l -> l.contains("vbPtr per-device"));

            HttpResponse<String> good = apply(console, "org.mmlab.virtio.driver", "vbPtr", "global");
            assertThat(good.statusCode()).isLessThan(400);
            // Configuration Admin delivers the console's write to the driver on a thread of its own
            boolean applied = false;
            for (int asked = 0; asked < 1000 && !applied; asked++) {
                applied = lab.run("virtio:driver").stream().anyMatch(l -> l.contains("vbPtr global"));
            }
            assertThat(applied).as("the driver runs with the console's vbPtr global").isTrue();
        }
    }

    /** What the configuration manager's form posts when a user saves one property. */
    private static HttpResponse<String> apply(String console, String pid, String property, String value) throws Exception {
        String form = "apply=true&action=ajaxConfigManager&propertylist=" + property + "&" + property + "=" + value;
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console + "/configMgr/" + pid))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
