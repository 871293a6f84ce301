// Package static is smslab's status page: one HTML file with its script and style sheet,
// embedded in the binary so that the page works in a lab with no network. It loads nothing from
// anywhere else and builds every element from text, never from HTML.
package static

import "embed"

// FS holds index.html, served at /, and assets/ (app.js, style.css), served under /assets/.
//
//go:embed index.html assets
var FS embed.FS
