// headroom's public API: everything a library user can import, in one place.
export { compress, compressText, retrieve } from "./library.js";
export type {
  CompressOptions,
  CompressMessagesResult,
  CompressTextOptions,
  CompressTextResult,
  TokenizerInfo,
  UnitReport,
} from "./library.js";
export type { ContentKind, Omission, Query } from "./compressors/types.js";
export { Store } from "./ccr/store.js";
export { formatMarker, parseMarkers } from "./ccr/marker.js";
export { HeadroomError } from "./errors.js";
