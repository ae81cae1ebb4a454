/** Row height of the user list in pixels; fixed, so the window is arithmetic and nothing is measured. */
export const USER_ROW_HEIGHT = 60;
/** Height of the list's scrolling viewport. Fixed, not `vh`: the portal grows the frame to fit its content. */
export const USER_LIST_HEIGHT = 600;
/** Ask for the next page once the viewport is this many rows from the end of what is loaded. */
export const PREFETCH_ROWS = 100;
/** Quiet time after the last keystroke before the search is sent. */
export const SEARCH_DEBOUNCE_MS = 300;
