"""Access log lines: one per request, nothing of the client's making taken literally."""

from __future__ import annotations

import io

from tracker.web.access_log import LineWriter, escape, line


def test_escapes_control_characters_quotes_and_backslashes() -> None:
    assert escape('/a\nb\r\x1b[31m"\\\x85') == "/a\\x0ab\\x0d\\x1b[31m\\x22\\x5c\\x85"


def test_a_decoded_path_with_a_newline_stays_on_one_line() -> None:
    scope = {"client": ("203.0.113.9", 5000), "method": "GET",
             "path": "/issues/1\n2026-01-01T00:00:00Z forged", "query_string": b"q=\x1b",
             "http_version": "1.1"}
    text = line(0.0, 0.0021, scope, 404, 12)
    assert text == ('1970-01-01T00:00:00Z 203.0.113.9 "GET /issues/1\\x0a2026-01-01T00:00:00Z '
                    'forged?q=\\x1b HTTP/1.1" 404 12 2.1ms\n')


def test_lines_are_written_together_when_flushed() -> None:
    out = io.BytesIO()
    writer = LineWriter(out)
    scope = {"client": None, "method": "GET", "path": "/", "raw_path": b"/",
             "query_string": b""}
    for _ in range(3):
        writer.add(line(0.0, 0.001, scope, 200, 5))
    writer.stop()
    assert out.getvalue().decode().count('- "GET / HTTP/1.1" 200 5 1.0ms\n') == 3
