// Drives the job report in headless Chromium (Debian's, through playwright-core) and
// prints what it saw as one JSON line: console errors, sections, playback progress,
// the rung switch, images and plots. Usage: node report_check.cjs URL SCREENSHOT.png
// The Rust test (tests/report.rs) installs playwright-core (found through NODE_PATH)
// and judges the result.
"use strict";
const { chromium } = require("playwright-core");

async function main() {

  const [url, screenshot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.REEL_CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  const result = { errors: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => { if (m.type() === "error") result.errors.push(m.text()); });
    page.on("pageerror", (e) => result.errors.push(String(e)));
    page.on("requestfailed", (r) => result.errors.push(`request failed: ${r.url()}`));
    await page.goto(url, { waitUntil: "load" });
    result.sections = await page.$$eval("section", (s) => s.map((x) => x.id));
    result.images = await page.$$eval(".sheet img", (imgs) =>
      imgs.map((i) => ({ complete: i.complete, width: i.naturalWidth })));
    result.plots = await page.$$eval("figure svg", (s) => s.length);
    await page.waitForFunction(() => window.reelPlayer && (window.reelPlayer.ready || window.reelPlayer.error),
      null, { timeout: 30000 });
    result.levels = await page.evaluate(() => window.reelPlayer.levels);
    result.options = await page.$$eval("#rung option", (o) => o.map((x) => x.textContent));
    await page.evaluate(() => document.getElementById("video").play());
    await page.waitForFunction(() => document.getElementById("video").currentTime >= 2,
      null, { timeout: 30000 });
    result.played_s = await page.evaluate(() => document.getElementById("video").currentTime);
    // Pin the rung hls.js is not playing, and see it switch and play on.
    const playing = await page.evaluate(() => window.reelPlayer.level);
    const target = playing === 0 ? result.levels.length - 1 : 0;
    result.switch_from = playing;
    result.switch_to = target;
    const before = await page.evaluate(() => document.getElementById("video").currentTime);
    await page.selectOption("#rung", String(target));
    await page.waitForFunction((t) => window.reelPlayer.level === t, target, { timeout: 30000 });
    result.switched = true;
    await page.evaluate(() => { const v = document.getElementById("video"); v.currentTime = 0.2; return v.play(); });
    await page.waitForFunction(() => document.getElementById("video").currentTime >= 1.0,
      null, { timeout: 30000 });
    result.played_after_switch_s = await page.evaluate(() => document.getElementById("video").currentTime);
    result.player_error = await page.evaluate(() => window.reelPlayer.error);
    result.status = await page.$eval("#player-status", (p) => p.textContent);
    await page.screenshot({ path: screenshot, fullPage: true });
    result.screenshot = screenshot;
  } catch (e) {
    result.failure = String(e);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.log(JSON.stringify({ errors: [], failure: String(e) }));
});
