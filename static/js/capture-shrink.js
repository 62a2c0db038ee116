// Shrinking a chosen photo on the phone, before the capture form (capture.js) keeps and sends it.
//
// Decoded with createImageBitmap (EXIF orientation applied), scaled to at most 2048 px on the long
// side and encoded as JPEG (quality 0.85). A file the browser cannot decode (HEIC in most browsers)
// goes as it is and the server converts it. Sets window.DangjianShrink; loaded before capture.js.
(function () {
  "use strict";

  // 2048 px: above the largest size the portal shows (1600) and enough for print, and on a
  // real 12-megapixel phone photo about a tenth of its bytes, where 2560 px keeps a sixth
  // (docs/benchmarks.md, "Capture on a slow 4G link").
  var MAX_SIDE = 2048;
  var QUALITY = 0.85;

  function jpegName(name) {
    var stem = (name || "photo").replace(/\.[^.]*$/, "");
    return (stem || "photo") + ".jpg";
  }

  function asOriginal(file) {
    return { blob: file, name: file.name || "photo", shrunk: false };
  }

  function shrink(file) {
    if (typeof createImageBitmap !== "function") {
      return Promise.resolve(asOriginal(file));
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(
      function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var width = Math.max(1, Math.round(bitmap.width * scale));
        var height = Math.max(1, Math.round(bitmap.height * scale));
        var canvas = document.createElement("canvas");
        canvas.width = width;
        canvas.height = height;
        var context = canvas.getContext("2d");
        // A transparent PNG becomes JPEG on white, as the server would flatten it.
        context.fillStyle = "#fff";
        context.fillRect(0, 0, width, height);
        context.imageSmoothingQuality = "high";
        context.drawImage(bitmap, 0, 0, width, height);
        bitmap.close();
        return new Promise(function (resolve) {
          canvas.toBlob(resolve, "image/jpeg", QUALITY);
        }).then(function (blob) {
          canvas.width = 0;
          canvas.height = 0;
          if (!blob) {
            return asOriginal(file);
          }
          return { blob: blob, name: jpegName(file.name), shrunk: true, width: width, height: height };
        });
      },
      function () {
        // The browser cannot decode it (HEIC in Chrome, a damaged file): the server decides.
        return asOriginal(file);
      }
    );
  }

  window.DangjianShrink = { shrink: shrink, MAX_SIDE: MAX_SIDE, QUALITY: QUALITY };
})();
