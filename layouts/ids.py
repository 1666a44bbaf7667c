"""Every component id, once. Those in shared/spec/CONTRACT.md §4 are public."""

URL = "url"
URL_NOTE = "url-note"  # what the address named that the overview could not use (an unknown province)
FILTER_URL_WRITTEN = "filter-url-written"  # the last query the overview wrote into the address itself
HISTORY_SEARCH = "history-search"  # an address the browser's back or forward brought (not one the overview wrote)
VIEW_SCOPE = "view-scope"  # the filters a planner view counts under, in words
VIEW_LINK = "view-link-{}"  # the header's link to a view (overview, profile, compare, chains, changes)
FILTER_URL = "filter-url"  # the overview's own handle on the address bar (filters -> query)
PAGE = "page"
PAGE_LANG = "page-lang"
SNAPSHOT = "snapshot-id"
SNAPSHOT_POLL = "snapshot-poll"

LANG_TOGGLE = "lang-toggle"
DATA_BANNER = "data-banner"

FILTER_SECTOR = "filter-sector"
FILTER_TECHNOLOGY = "filter-technology"
FILTER_LEAD_TYPE = "filter-lead-type"
FILTER_LEVEL = "filter-level"
FILTER_GRADE = "filter-grade"
GAPS_CAVEAT = "gaps-caveat"
STATUS_GRADES = "status-grades"
FILTER_YEAR = "filter-year"
FILTER_PROVINCE = "filter-province"
FILTER_RESET = "filter-reset"

KPI_TOTAL = "kpi-total"
KPI_PROVINCES = "kpi-provinces"
KPI_UNCOVERED = "kpi-uncovered"
OVERVIEW_READING = "overview-reading"
OVERVIEW_DONE = "overview-done"  # the filter state the map + KPIs show (set by the layout, then the callback): the other views follow it

PROVINCE_MAP = "province-map"
MAP_METRIC = "map-metric"
MAP_CITY_LAYER = "map-city-layer"
MAP_SIDE = "map-side"
MAP_SIDE_OUTSIDE = "map-side-outside"  # consortia at no single province (national, regional)
MAP_SIDE_SCOPES = "map-side-scopes"
BELOW_MAP = "below-map"  # the sections under the map, filled once the map is drawn (callbacks.page.fill_below)
BELOW_FALLBACK = "below-map-fallback"  # fills them anyway if the map never reports being drawn
BELOW_FILLED = "below-map-filled"
GRID_LOADED = "records-grid-loaded"  # the records grid's script fetched (after the map: app.defer_the_records_grid)
MAP_DRAWN = "map-drawn"  # what the drawn map was built for: same key -> its values alone (MAP_VALUES)
MAP_VALUES = "map-values"  # a filter change's new values for the drawn map (applied by assets/map-values.js)

SECTOR_HEATMAP = "sector-heatmap"
HEATMAP_MODE = "heatmap-mode"
HEATMAP_SORT = "heatmap-sort"
HEATMAP_UNLISTED = "heatmap-unlisted"

TECHNOLOGY_GAPS = "technology-gaps"
GAPS_LIST = "gaps-uncovered-list"

CLUSTERING_MAP = "clustering-map"
CLUSTERING_READING = "clustering-reading"

COLLABORATION_FLOWS = "collaboration-flows"
COLLABORATION_MATRIX = "collaboration-matrix"
COLLABORATION_READING = "collaboration-reading"

TRENDS_CHART = "trends-chart"
TRENDS_READING = "trends-reading"

RECORDS_GRID = "records-grid"
RECORDS_SEARCH = "records-search"
RECORDS_COUNT = "records-count"

STATUS_PANEL = "status-panel"
STATUS_REJECTIONS_BUTTON = "status-rejections-button"
STATUS_REJECTIONS_DOWNLOAD = "status-rejections-download"

EXPORT_CHART = "export-chart"
EXPORT_FORMAT = "export-format"
EXPORT_CHART_BUTTON = "export-chart-button"
EXPORT_BRIEF_PPTX = "export-brief-pptx"
EXPORT_BRIEF_PDF = "export-brief-pdf"
EXPORT_DATA_CSV = "export-data-csv"
EXPORT_DATA_XLSX = "export-data-xlsx"
EXPORT_DOWNLOAD = "export-download"
EXPORT_STATUS = "export-status"
EXPORT_PROGRESS = "export-progress"
EXPORT_CANCEL = "export-cancel"

# Planner views (?view=profile|compare|chains|changes), contract §7
PAGE_VIEW = "page-view"  # which view and parameters the rendered body shows
VIEW_NAV = "view-nav"
VIEW_ERROR = "view-error"
PROFILE_TOTAL = "profile-total"
PROFILE_POLICY = "profile-policy"
PROFILE_RANK = "profile-rank"
PROFILE_SECTORS = "profile-sectors"
PROFILE_YEARS = "profile-years"
PROFILE_PARTNERS = "profile-partners"
PROFILE_EXPORT_PDF = "profile-export-pdf"
PROFILE_EXPORT_PPTX = "profile-export-pptx"
PROFILE_DOWNLOAD = "profile-download"
PROFILE_PROVINCE = "profile-province"
COMPARE_TABLE = "compare-table"
COMPARE_FORM = "compare-form"
COMPARE_FORM_TOGGLE = "compare-form-toggle"
COMPARE_PICK = "compare-pick"
COMPARE_QUERY = "compare-query"
COMPARE_SUBMIT = "compare-submit"
COMPARE_SECTORS = "compare-sectors"
COMPARE_COVERAGE = "compare-coverage"
CHAIN_TREE = "chain-tree"
CHANGES_SUMMARY = "changes-summary"
MAP_PROFILE_LINK = "map-profile-link"

# Stewardship (/steward), contract §6: every id here is checked for the signed-in role on the server
UPLOAD_FILES = "upload-files"
UPLOAD_OVERSIZE = "upload-oversize"  # names a file over the size limit (assets/records-grid.js writes it)
STEWARD_STAGED = "steward-staged"        # dcc.Store: {"id": staged snapshot, "base": current when staged}
STEWARD_REPORT = "steward-report"
STEWARD_MESSAGE = "steward-message"
STEWARD_TOKEN = "steward-token"          # the signed-in steward, signed by the server, for background jobs
STEWARD_PROGRESS = "steward-progress"
STEWARD_CANCEL = "steward-cancel"
STAGED_ACCEPTED = "staged-accepted"
STAGED_REJECTED = "staged-rejected"
STAGED_WARNINGS = "staged-warnings"
STAGED_DUPLICATES = "staged-duplicates"
STAGED_ADDED = "staged-added"
STAGED_REMOVED = "staged-removed"
STAGED_CHANGED = "staged-changed"
STAGED_MAP = "staged-map"
PUBLISH_STAGED = "publish-staged"
DISCARD_STAGED = "discard-staged"
ALIAS_WORD = "alias-word"
ALIAS_CODE = "alias-code"
ALIAS_APPLY = "alias-apply"
ADMIN_ROLLBACK_SNAPSHOT = "admin-rollback-snapshot"
ADMIN_ROLLBACK = "admin-rollback"
ADMIN_REFRESH = "admin-refresh-now"
ADMIN_MESSAGE = "admin-message"
ADMIN_PROGRESS = "admin-progress"
ADMIN_AUDIT = "admin-audit"
ADMIN_SCHEDULE = "admin-schedule-status"
ADMIN_STAGED_PICK = "admin-staged-pick"  # the staged lists of every steward (an admin may open any of them)
ADMIN_STAGED_OPEN = "admin-staged-open"
