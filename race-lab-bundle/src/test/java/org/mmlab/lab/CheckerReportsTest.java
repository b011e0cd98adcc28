package org.mmlab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The checkers' reports among dmesg's lines: each report's first line, or the whole report, without timestamps. */
class CheckerReportsTest {

    @Test
    void eachReportsFirstLineWithoutItsTimestamp() {
        List<String> dmesg = List.of("[    0.000000] Linux version 6.18 (mmlab)",
                "[    1.250000] BUG: KASAN: use-after-free in balloon_page_isolate+0x1c/0x60",
                "[    1.250001] Read of size 8 at addr ffff888100000000",
                "[    2.000000] WARNING: possible circular locking dependency detected",
                "[    3.000000] list_del corruption. next->prev should be 0x1, but was 0x2",
                "rmmod: ERROR: Module virtio_balloon is in use");

        assertThat(CheckerReports.in(dmesg)).containsExactly(
                "BUG: KASAN: use-after-free in balloon_page_isolate+0x1c/0x60",
                "WARNING: possible circular locking dependency detected",
                "list_del corruption. next->prev should be 0x1, but was 0x2",
                "rmmod: ERROR: Module virtio_balloon is in use");
    }

    @Test
    void eachReportWholeUpToTheNextReportsFirstLine() {
        List<String> dmesg = List.of("[    0.000000] Linux version 6.18 (mmlab)",
                "[    1.250000] BUG: KASAN: slab-use-after-free in isolate_migratepages_block",
                "[    1.250000] Freed by task 12:",
                "[    1.250000]  VirtioBalloon.virtballoonRemove+591",
                "[    2.000000] WARNING: possible circular locking dependency detected");

        assertThat(CheckerReports.whole(dmesg)).containsExactly(
                "BUG: KASAN: slab-use-after-free in isolate_migratepages_block\nFreed by task 12:\n"
                        + " VirtioBalloon.virtballoonRemove+591",
                "WARNING: possible circular locking dependency detected");
    }
}
