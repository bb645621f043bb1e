"""Folium maps of the city and their browser side (JS/CSS served offline); no Streamlit here.

base: the base map (boundaries, controls, first view); incidents: the incident layer;
facilities: facility symbols and nearest-post lines; legend: the legend control both maps use;
trend_maps: the Tren map; style: themes, symbols and the CSS; escape: outside text made safe for
a map page; assets: vendored Leaflet and the .js/.css files beside these modules.
Layers point one way: pages -> mapview -> dashboard -> geo.
"""
