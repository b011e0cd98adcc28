package org.mmlab.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver (packages chromium and chromium-driver,
 * which .ci/run installs), with the flags that work on machines without a network beyond loopback:
 * no background connections, no first-run or sync, a fresh profile per test. Nothing is downloaded.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("mmlab.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("mmlab.chromedriver", "/usr/bin/chromedriver"));

    final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /**
     * A browser with a fresh profile in {@code profile}. Without Chromium the test is skipped on a
     * developer's machine (README says what to install) and fails under CI (CI set), which installs it.
     */
    static Browser open(Path profile) throws IOException {
        boolean there = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(there, "no " + CHROMIUM + " or " + CHROMEDRIVER + ": apt-get install chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1100,1500",
                "--user-data-dir=" + Files.createDirectories(profile).toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options));
    }

    /** Waits, within the lab's time-out, until the page says so; the condition is the page's, not a clock's. */
    <T> T until(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(LabProcess.TIMEOUT_SECONDS)).until(condition);
    }

    /** Keeps what the browser shows, for people to look at. */
    Path screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Keeps what one element of the page shows. */
    Path screenshot(WebElement element, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, element.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
