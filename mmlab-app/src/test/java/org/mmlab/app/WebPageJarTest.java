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
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

/**
 * The lab's page as a person uses it, in a real headless Chromium: the memory map shows the balloon
 * the host asked for, the free pages' histogram loses it and the device's chart reaches its target,
 * the map changes when compaction closes the holes, and a race run from the shell is on the board of
 * runs with its reports. The screenshots are kept in
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
            // its frees wait on the per-cpu lists (up to pcp->high_max, managed / 8): the free lists show them once drained
            lab.run("mm:drain");
            browser.driver.get(page);
            WebElement map = browser.driver.findElement(By.id("map"));
            WebElement histogram = browser.driver.findElement(By.id("freelists"));
            WebElement chart = browser.driver.findElement(By.id("balloons"));
            browser.until(d -> map.getAttribute("data-blocks") != null && histogram.getAttribute("data-free-pages") != null
                    && String.valueOf(chart.getAttribute("data-latest")).contains("vmw-balloon 0="));
            assertThat(map.getAttribute("data-balloon-pages")).isEqualTo("0");
            long freePagesBefore = Long.parseLong(histogram.getAttribute("data-free-pages"));
            assertThat(freePagesBefore).isEqualTo(freePages(page + "api/freelists"));
            assertThat(chart.getAttribute("data-latest")).contains("virtio-balloon 0=0/0", "vmw-balloon 0=0/0");

            lab.run("virtio:target 0 1G");

            browser.until(d -> String.valueOf(GIB_PAGES).equals(map.getAttribute("data-balloon-pages")));
            long freeInflated = freePages(page + "api/freelists");
            browser.until(d -> String.valueOf(freeInflated).equals(histogram.getAttribute("data-free-pages")));
            // the balloon's pages came off the free lists (a few from the per-CPU lists, which they do not count)
            assertThat(freePagesBefore - freeInflated).isGreaterThan(GIB_PAGES / 2);
            browser.until(d -> chart.getAttribute("data-latest").contains("virtio-balloon 0=" + GIB_PAGES + "/" + GIB_PAGES));
            browser.screenshot(histogram, SCREENSHOTS.resolve("free-lists.png"));
            browser.screenshot(chart, SCREENSHOTS.resolve("balloons.png"));
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

            lab.run("lab:race --runs 2 1");

            WebElement runs = browser.driver.findElement(By.id("runs"));
            browser.until(d -> "1".equals(runs.getAttribute("data-entries")));
            // the page may have had the entry running at a tick before the end: its row changes at a later one
            String row = browser.until(d -> {
                try {
                    return runs.findElements(By.cssSelector("tr[data-running=false]")).stream().findFirst()
                            .map(WebElement::getText).orElse(null);
                } catch (StaleElementReferenceException e) {
                    return null; // re-drawn meanwhile: the next try reads the new row
                }
            });
            assertThat(row).startsWith("lab:race unload-during-migration ").contains(" --runs 2 2 of 2 2 done ",
                    "BUG: KASAN: use-after-unload");
            browser.screenshot(runs, SCREENSHOTS.resolve("runs.png"));
        }
    }

    /** Pageblocks whose 512 pages are all free or reported, as the JSON API says now. */
    static int fullyFreePageblocks(String url) throws Exception {
        String json = get(url);
        Matcher pages = Pattern.compile("\"pages\":\\[(\\d+),(\\d+),").matcher(json); // FREE, REPORTED first
        int free = 0;
        while (pages.find()) {
            if (Integer.parseInt(pages.group(1)) + Integer.parseInt(pages.group(2)) == 512) {
                free++;
            }
        }
        return free;
    }

    /** Free pages on the free lists (/proc/pagetypeinfo's), as the JSON API says now: blocks of order o are 2^o pages. */
    static long freePages(String url) throws Exception {
        Matcher lists = Pattern.compile("\"nrFree\":\\[([\\d,]+)]").matcher(get(url));
        long free = 0;
        while (lists.find()) {
            String[] blocks = lists.group(1).split(",");
            for (int order = 0; order < blocks.length; order++) {
                free += Long.parseLong(blocks[order]) << order;
            }
        }
        return free;
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
