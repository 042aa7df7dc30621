// The report's player: hls.js plays the master playlist beside the report; the
// selector pins a rung (or leaves hls.js to adapt). The page's state is exposed on
// window.reelPlayer for people and browser tests alike.
(function () {
  "use strict";
  var video = document.getElementById("video");
  if (!video) { return; }
  var select = document.getElementById("rung");
  var status = document.getElementById("player-status");
  var src = video.getAttribute("data-src");
  var state = { ready: false, levels: [], level: -1, error: null };
  window.reelPlayer = state;

  function say(text) { status.textContent = text; }

  if (location.protocol === "file:") {
    say("Browsers do not let a page opened from disk fetch the playlist: serve the output " +
        "directory over HTTP (python3 -m http.server) or open the report from S3.");
    return;
  }
  if (!(window.Hls && window.Hls.isSupported())) {
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      say("Playing with the browser's own HLS support (no rung selector).");
    } else {
      say("This browser supports neither Media Source Extensions nor HLS.");
    }
    return;
  }
  var hls = new window.Hls({ capLevelToPlayerSize: false });
  state.hls = hls;
  hls.on(window.Hls.Events.MANIFEST_PARSED, function (_event, data) {
    data.levels.forEach(function (level, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = level.width + "x" + level.height + " · " +
        Math.round(level.bitrate / 1000) + " kb/s";
      select.appendChild(option);
      state.levels.push({ width: level.width, height: level.height, bitrate: level.bitrate });
    });
    select.disabled = false;
    state.ready = true;
    say(data.levels.length + " rungs; choose one or leave it on auto.");
  });
  hls.on(window.Hls.Events.LEVEL_SWITCHED, function (_event, data) {
    state.level = data.level;
    var l = state.levels[data.level];
    if (l) { say("Playing " + l.width + "x" + l.height + " (" + Math.round(l.bitrate / 1000) + " kb/s)."); }
  });
  hls.on(window.Hls.Events.ERROR, function (_event, data) {
    if (data.fatal) {
      state.error = data.details;
      say("Playback failed: " + data.details);
    }
  });
  select.addEventListener("change", function () {
    // currentLevel switches at once (flushing the buffer); -1 hands control back.
    hls.currentLevel = Number(select.value);
  });
  hls.loadSource(src);
  hls.attachMedia(video);
})();
