package dev.portico.routing;

import dev.portico.variables.Template;

/**
 * One status of an {@code error_page} directive.
 *
 * @param status    the error status it handles
 * @param overwrite -1 to keep the error status, 0 for {@code =} (the status of the page's own
 *                  response), otherwise the status to answer with ({@code =code})
 * @param target    the URI, {@code @name} or URL
 * @param args      the arguments of a constant URI ("" when it has none), or null when they are
 *                  split from the rendered target
 */
record ErrorPage(int status, int overwrite, Template target, String args) {
}
