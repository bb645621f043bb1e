// The base map's own functions (mapview.base): controls, and what each boundary feature does.
// Added to the map's script before its layers; the Tren map (mapview.trend_maps) uses them too.

// A metric scale bar and the data credits (texts escaped on the server).
function siagaControls(map, attributions) {
    L.control.scale({imperial: false}).addTo(map);
    attributions.forEach(function (text) { map.attributionControl.addAttribution(text); });
}

// A boundary's sticky tooltip: its label, escaped on the server.
function siagaFeatureTooltip(feature, layer) {
    layer.bindTooltip(feature.properties.label, {sticky: true});
}

// A boundary drawn a little thicker while the pointer is over it.
function siagaFeatureHover(feature, layer) {
    var base = feature.properties.style;
    layer.on("mouseover", function () {
        layer.setStyle({weight: base.weight + 2});
    });
    layer.on("mouseout", function () { layer.setStyle(base); });
}

function siagaFeatureTooltipHover(feature, layer) {
    siagaFeatureTooltip(feature, layer);
    siagaFeatureHover(feature, layer);
}
