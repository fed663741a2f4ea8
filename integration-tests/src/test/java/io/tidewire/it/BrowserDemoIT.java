package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.launcher.DemoServer;
import io.tidewire.launcher.demo.DemoUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The RealtimeDemo page in a real browser (headless Debian Chromium through Selenium) against the
 * demo stack as {@code tidewire demo} runs it: pick a user, see "connected", write rows through
 * JDBC and watch the job progress bar, the credit balance, the feed and the like counts follow;
 * press "disconnect for 10 s", write more, and see every missed update arrive after the page
 * reconnects; reload the page and see the running job at once, from the snapshot the page asks for;
 * two pages of two users see each other online and typing under a feed item's comments (broadcast
 * and presence channels through the real gateway). Screenshots land in {@code target/browser-demo/}.
 *
 * <p>Skipped (with the reason) where {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver}
 * is missing; {@code .ci/run} installs Debian's {@code chromium} and {@code chromium-driver}.
 */
class BrowserDemoIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "browser-demo");
  private static final Duration PATIENCE = Duration.ofSeconds(45);
  private static final DemoUser ALICE = DemoUser.ALL.get(0);
  private static final DemoUser BOB = DemoUser.ALL.get(1);
  private static final DemoUser CAROL = DemoUser.ALL.get(2);

  private static DemoServer demo;
  private static DataSource db;

  private WebDriver browser;

  @BeforeAll
  static void startDemo() {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "browser test skipped: needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
            + "/usr/bin/chromedriver); install with apt-get install -y chromium chromium-driver");
    demo = DemoServer.start(DemoServer.Options.forTests());
    db = demo.dataSource();
  }

  @AfterAll
  static void stopDemo() {
    if (demo != null) {
      demo.close();
    }
  }

  @BeforeEach
  void openBrowser(@TempDir final Path profile) {
    browser = newBrowser(profile);
  }

  private static WebDriver newBrowser(final Path profile) {
    final ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    final ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--window-size=1440,1000",
        "--user-data-dir=" + profile.toAbsolutePath());
    return new ChromeDriver(service, options);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void demoPageShowsLiveChangesAndCatchesUpAfterADisconnect(final TestInfo info) throws Exception {
    insertDemoUsers();
    try {
      browser.get("http://127.0.0.1:" + demo.httpPort() + "/");
      waitFor(() -> present(By.cssSelector("[data-testid='user-alice']")));
      browser.findElement(By.cssSelector("[data-testid='user-alice']")).click();
      waitFor(() -> "connected".equals(connectionState()));

      // live: a generation job, a credit transaction, a public video and a like on it
      final UUID job = UUID.randomUUID();
      sql("INSERT INTO generation_jobs (id, user_id, kind, prompt) VALUES (?, ?, 'video', "
          + "'harbour at dusk')", job, ALICE.id());
      sql("UPDATE generation_jobs SET status = 'active', progress = 40 WHERE id = ?", job);
      waitFor(() -> "40".equals(jobAttribute(job, "progress")));
      assertThat(jobAttribute(job, "status")).isEqualTo("active");

      spend(ALICE.id(), 7, "video generation");
      final long afterSpend = credits(ALICE.id());
      waitFor(() -> String.valueOf(afterSpend).equals(balance()));

      final UUID video = UUID.randomUUID();
      sql("INSERT INTO videos (id, user_id, is_public, url, caption) VALUES (?, ?, true, "
          + "'https://cdn.example/harbour.mp4', 'harbour at dusk')", video, ALICE.id());
      waitFor(() -> feedItem(video).isPresent());
      sql("INSERT INTO likes (user_id, content_type, content_id) VALUES (?, 'video', ?)",
          BOB.id(), video);
      waitFor(() -> "1".equals(likes(video)));
      waitFor(() -> notifications().stream().anyMatch(n -> n.getText().contains("New like")));
      screenshot("1-live");

      // offline: the page disconnects for 10 s while the database keeps changing
      browser.findElement(By.cssSelector("[data-testid='disconnect']")).click();
      waitFor(() -> "offline".equals(connectionState()));
      sql("UPDATE generation_jobs SET progress = 85 WHERE id = ?", job);
      sql("UPDATE generation_jobs SET status = 'completed', progress = 100, result_url = "
          + "'https://cdn.example/harbour.mp4' WHERE id = ?", job);
      credit(ALICE.id(), 100, "credit purchase");
      final long afterPurchase = credits(ALICE.id());
      final UUID image = UUID.randomUUID();
      sql("INSERT INTO images (id, user_id, is_public, url, caption) VALUES (?, ?, true, "
          + "'https://cdn.example/kite.png', 'a red kite')", image, BOB.id());
      sql("INSERT INTO likes (user_id, content_type, content_id) VALUES (?, 'video', ?)",
          CAROL.id(), video);
      final int notesBefore = notifications().size();
      assertThat(connectionState()).isEqualTo("offline");
      assertThat(jobAttribute(job, "progress")).as("nothing arrives while offline").isEqualTo("40");
      screenshot("2-offline");

      // back: every missed change appears, replayed from the page's cursors
      waitFor(() -> "connected".equals(connectionState()));
      waitFor(() -> "100".equals(jobAttribute(job, "progress"))
          && "completed".equals(jobAttribute(job, "status")));
      waitFor(() -> String.valueOf(afterPurchase).equals(balance()));
      waitFor(() -> "2".equals(likes(video)));
      waitFor(() -> {
        showNewPosts();
        return feedItem(image).isPresent();
      });
      waitFor(() -> notifications().size() >= notesBefore + 2); // video ready + Carol's like
      // 85 %, completed, "video ready", credits, image published, counts, like notification
      waitFor(() -> catchUpCount() >= 7);
      assertThat(browser.findElement(By.cssSelector("[data-testid='catch-up']")).getText())
          .contains("caught up");
      screenshot("3-caught-up");
    } catch (AssertionError | RuntimeException e) {
      screenshot("failure-" + info.getTestMethod().map(m -> m.getName()).orElse("test"));
      throw e;
    }
  }

  @Test
  void reloadedPageShowsTheRunningJobsFromTheSnapshotBeforeAnyEvent(final TestInfo info)
      throws Exception {
    insertDemoUsers();
    try {
      browser.get("http://127.0.0.1:" + demo.httpPort() + "/?user=" + CAROL.name());
      waitFor(() -> "connected".equals(connectionState()));
      final UUID job = UUID.randomUUID();
      sql("INSERT INTO generation_jobs (id, user_id, kind, prompt) VALUES (?, ?, 'image', "
          + "'a lighthouse')", job, CAROL.id());
      sql("UPDATE generation_jobs SET status = 'active', progress = 30 WHERE id = ?", job);
      waitFor(() -> "30".equals(jobAttribute(job, "progress"))); // live, so the state has it too

      browser.navigate().refresh();
      waitFor(() -> "connected".equals(connectionState()));
      // the page subscribed afresh with "snapshot": true: the job is there without an event
      waitFor(() -> "30".equals(jobAttribute(job, "progress")));
      assertThat(eventLogTypes()).contains("snapshot").doesNotContain("generation.progress");
      assertThat(browser.findElement(By.id("generation-empty")).isDisplayed()).isFalse();
      screenshot("4-reloaded");
    } catch (AssertionError | RuntimeException e) {
      screenshot("failure-" + info.getTestMethod().map(m -> m.getName()).orElse("test"));
      throw e;
    }
  }

  @Test
  void twoPagesSeeEachOtherOnlineAndTyping(final TestInfo info, @TempDir final Path otherProfile) throws Exception {
    insertDemoUsers();
    final WebDriver other = newBrowser(otherProfile);
    try {
      browser.get("http://127.0.0.1:" + demo.httpPort() + "/?user=" + ALICE.name());
      other.get("http://127.0.0.1:" + demo.httpPort() + "/?user=" + BOB.name());
      waitFor(() -> onlineUsers(browser).containsAll(List.of(ALICE.id().toString(), BOB.id().toString())));
      waitFor(() -> onlineUsers(other).containsAll(List.of(ALICE.id().toString(), BOB.id().toString())));

      final UUID video = UUID.randomUUID();
      sql("INSERT INTO videos (id, user_id, is_public, url, caption) VALUES (?, ?, true, "
          + "'https://cdn.example/surf.mp4', 'surf at noon')", video, CAROL.id());
      waitFor(() -> feedItem(browser, video).isPresent() && feedItem(other, video).isPresent());

      // Bob types under the video (a key now and then, as people type: a broadcast sent before both
      // pages' joins took effect reaches nobody, the next one does): Alice sees it, Bob does not
      // see himself
      final WebElement box = feedItem(other, video).orElseThrow()
          .findElement(By.cssSelector("[data-testid='comment-input']"));
      patiently().pollInterval(Duration.ofMillis(700)).until(() -> {
        box.sendKeys("a");
        return typing(browser, video).equals(BOB.name() + " is typing…");
      });
      assertThat(typing(other, video)).isEmpty();
      screenshot("5-typing");

      // Enter posts the comment and stops the typing indicator at once
      box.sendKeys(" waves!\n");
      waitFor(() -> typing(browser, video).isEmpty());
      waitFor(() -> "1".equals(feedItem(browser, video)
          .map(item -> item.findElement(By.cssSelector(".comments")).getDomAttribute("data-value")).orElse("")));

      // Bob's page goes away: Alice sees him leave
      other.quit();
      waitFor(() -> !onlineUsers(browser).contains(BOB.id().toString()));
      assertThat(onlineUsers(browser)).contains(ALICE.id().toString());
      screenshot("6-bob-left");
    } catch (AssertionError | RuntimeException e) {
      screenshot("failure-" + info.getTestMethod().map(m -> m.getName()).orElse("test"));
      throw e;
    } finally {
      other.quit();
    }
  }

  private static List<String> onlineUsers(final WebDriver page) {
    return page.findElements(By.cssSelector("[data-testid='online-user']")).stream()
        .map(e -> e.getDomAttribute("data-user-id")).toList();
  }

  private static Optional<WebElement> feedItem(final WebDriver page, final UUID contentId) {
    return page.findElements(By.cssSelector("[data-testid='feed-item'][data-content-id='"
        + contentId + "']")).stream().findFirst();
  }

  private static String typing(final WebDriver page, final UUID contentId) {
    return feedItem(page, contentId).map(item -> item.findElement(By.cssSelector("[data-testid='typing']")).getText())
        .orElse("?");
  }

  private static void insertDemoUsers() throws SQLException {
    for (final DemoUser user : List.of(ALICE, BOB, CAROL)) {
      sql("INSERT INTO users (id, email, display_name, credits) VALUES (?, ?, ?, 500) "
          + "ON CONFLICT (id) DO NOTHING", user.id(), user.name() + "@demo.tidewire.io", user.name());
    }
  }

  // ---- page ----

  private List<String> eventLogTypes() {
    return browser.findElements(By.cssSelector("[data-testid='event-log'] .type")).stream()
        .map(WebElement::getText).toList();
  }

  private String connectionState() {
    return browser.findElement(By.id("status")).getDomAttribute("data-state");
  }

  private String balance() {
    return browser.findElement(By.cssSelector("[data-testid='balance']")).getDomAttribute("data-value");
  }

  private String jobAttribute(final UUID job, final String name) {
    final List<WebElement> found = browser.findElements(By.cssSelector("[data-job-id='" + job + "']"));
    return found.isEmpty() ? "" : found.get(0).getDomAttribute("data-" + name);
  }

  private Optional<WebElement> feedItem(final UUID contentId) {
    return feedItem(browser, contentId);
  }

  private String likes(final UUID contentId) {
    return feedItem(contentId)
        .map(item -> item.findElement(By.cssSelector(".likes")).getDomAttribute("data-value"))
        .orElse("");
  }

  private void showNewPosts() {
    final WebElement pill = browser.findElement(By.cssSelector("[data-testid='new-content']"));
    if (pill.isDisplayed()) {
      pill.click();
    }
  }

  private List<WebElement> notifications() {
    return browser.findElements(By.cssSelector("[data-testid='notification']"));
  }

  private int catchUpCount() {
    final String count =
        browser.findElement(By.cssSelector("[data-testid='catch-up']")).getDomAttribute("data-count");
    return count == null || count.isEmpty() ? 0 : Integer.parseInt(count);
  }

  private boolean present(final By by) {
    return !browser.findElements(by).isEmpty();
  }

  private void waitFor(final Callable<Boolean> condition) {
    patiently().until(condition);
  }

  private static ConditionFactory patiently() {
    return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).ignoreExceptions();
  }

  private void screenshot(final String name) throws IOException {
    if (browser instanceof TakesScreenshot camera) {
      Files.createDirectories(SCREENSHOTS);
      Files.write(SCREENSHOTS.resolve(name + ".png"), camera.getScreenshotAs(OutputType.BYTES));
    }
  }

  // ---- database ----

  /** A spend: the transaction row and the balance change in one transaction (the credits join). */
  private static void spend(final UUID user, final long amount, final String reason) throws SQLException {
    credit(user, -amount, reason);
  }

  private static void credit(final UUID user, final long amount, final String reason) throws SQLException {
    sql("WITH t AS (INSERT INTO credit_transactions (user_id, amount, reason) VALUES (?, ?, ?) "
        + "RETURNING user_id, amount) UPDATE users SET credits = credits + t.amount FROM t "
        + "WHERE users.id = t.user_id", user, amount, reason);
  }

  private static long credits(final UUID user) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT credits FROM users WHERE id = ?")) {
      ps.setObject(1, user);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }

  private static void sql(final String statement, final Object... args) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }
}
