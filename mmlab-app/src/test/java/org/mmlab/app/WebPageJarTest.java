package org.mmlab.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The lab's page as a person uses it, in a real headless Chromium: the memory map shows the balloon
 * the host asked for, and changes when compaction closes the holes. The screenshots are kept in
 * target/web/ for people to look at.
 */
class WebPageJarTest {

    static final Path SCREENSHOTS = Path.of("target", "web");
    /** 1 GiB in 4 KiB pages. */
    static final int GIB_PAGES = 262144;

    @TempDir
    Path dir;

    @Test
    void theMapShowsTheBalloonAfterTheHostsTargetAndChangesAfterCompaction() throws Exception {
        try (LiveLab lab = LiveLab.start(dir); Browser browser = Browser.open(dir.resolve("chromium"))) {
            String page = lab.address("the lab's page: ");
            lab.run("mm:kcompactd stop"); // only mm:compact compacts: the map changes when it runs
            lab.run("mm:workload fragment");
            browser.driver.get(page);
            WebElement map = browser.driver.findElement(By.id("map"));
            browser.until(d -> map.getAttribute("data-blocks") != null);
            assertThat(map.getAttribute("data-balloon-pages")).isEqualTo("0");

            lab.run("virtio:target 0 1G");

            browser.until(d -> String.valueOf(GIB_PAGES).equals(map.getAttribute("data-balloon-pages")));
            assertThat(Integer.parseInt(map.getAttribute("data-balloon-blocks"))).isGreaterThanOrEqualTo(GIB_PAGES / 512);
            assertThat(browser.driver.findElement(By.id("legend")).getText()).contains("balloon: virtio-balloon host 0");
            browser.screenshot(SCREENSHOTS.resolve("map-balloon.png"));
            browser.screenshot(browser.driver.findElement(By.id("map-section")), SCREENSHOTS.resolve("map-section.png"));
            String ballooned = map.getAttribute("data-signature");
            int freeBefore = Integer.parseInt(map.getAttribute("data-free-blocks"));

            lab.run("mm:compact");

            int freeAfter = fullyFreePageblocks(page + "api/pageblocks");
            browser.until(d -> String.valueOf(freeAfter).equals(map.getAttribute("data-free-blocks")));
            assertThat(map.getAttribute("data-signature")).isNotEqualTo(ballooned);
            assertThat(freeAfter).as("pageblocks entirely free").isGreaterThan(freeBefore);
            assertThat(map.getAttribute("data-balloon-pages")).isEqualTo(String.valueOf(GIB_PAGES));
            browser.screenshot(SCREENSHOTS.resolve("map-compacted.png"));

            map.click(); // the pageblock under the map's middle: its 512 pages
            WebElement zoom = browser.driver.findElement(By.id("zoom-map"));
            int block = Integer.parseInt(browser.until(d -> zoom.getAttribute("data-pageblock")));
            assertThat(browser.driver.findElement(By.id("zoom-caption")).getText())
                    .startsWith(String.format("pageblock %d: PFN %#x to %#x", block, block * 512, block * 512 + 511));
            browser.screenshot(SCREENSHOTS.resolve("pageblock.png"));
        }
    }

    /** Pageblocks whose 512 pages are all free or reported, as the JSON API says now. */
    static int fullyFreePageblocks(String url) throws Exception {
        String json = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher pages = Pattern.compile("\"pages\":\\[(\\d+),(\\d+),").matcher(json); // FREE, REPORTED first
        int free = 0;
        while (pages.find()) {
            if (Integer.parseInt(pages.group(1)) + Integer.parseInt(pages.group(2)) == 512) {
                free++;
            }
        }
        return free;
    }
}
