// In-memory cache: request URL (path + query) -> { status, contentType, data }
export const cache = new Map();
