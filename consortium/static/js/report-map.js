// The report map: with a tile server configured, a citizen can tap the place on a map; the
// point goes into the form's latitude and longitude. Without JavaScript, or without a tile
// server, the postcode and address are enough (the map is an addition, never required).
(function () {
  var holder = document.getElementById("report-map");
  if (!holder || typeof window.L === "undefined") return;
  var lat = document.getElementById("lat");
  var long = document.getElementById("long");
  holder.hidden = false;
  var start = lat.value && long.value ? [parseFloat(lat.value), parseFloat(long.value)] : [52.8, -2.05];
  var map = window.L.map(holder, { scrollWheelZoom: false }).setView(start, lat.value ? 17 : 10);
  window.L.tileLayer(holder.getAttribute("data-tiles"), {
    maxZoom: 19,
    attribution: holder.getAttribute("data-attribution") || "",
  }).addTo(map);
  var marker = lat.value ? window.L.marker(start).addTo(map) : null;
  var said = document.getElementById("report-map-point");
  map.on("click", function (event) {
    var point = event.latlng;
    lat.value = point.lat.toFixed(6);
    long.value = point.lng.toFixed(6);
    if (marker) marker.setLatLng(point);
    else marker = window.L.marker(point).addTo(map);
    if (said) said.textContent = "Place chosen on the map: " + lat.value + ", " + long.value;
  });
})();
