#!/usr/bin/python3
"""The studio in a real browser (Debian's headless Chromium, driven by Selenium through
chromedriver), against real `syncline serve` nodes on loopback; and GET /metrics checked with
the Prometheus client's own parser.

Usage: studio_test.py SYNCLINE_BINARY [unittest args]. With STUDIO_SCREENSHOTS=DIR set, each
page's screenshot is saved there (make screenshots writes docs/studio/)."""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common import utils as selenium_utils
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BINARY = None
WAIT = 20  # seconds any one signal may take to come


class Node:
    """A `syncline serve` child on a free loopback port, in its own data folder."""

    def __init__(self, root, name, extra=()):
        self.data = os.path.join(root, name)
        self.extra = list(extra)
        self.port = 0
        self.proc = None
        self.start()

    def start(self):
        self.out = open(self.data + ".log", "ab")
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--data", self.data, "--listen", f"127.0.0.1:{self.port}", *self.extra],
            stdout=subprocess.PIPE, stderr=self.out)
        for line in self.proc.stdout:
            m = re.match(rb"listening on (\S+)", line)
            if m:
                self.url = m.group(1).decode()
                break
        else:
            raise RuntimeError("syncline serve did not start: see " + self.data + ".log")
        self.port = int(self.url.rsplit(":", 1)[1])
        with open(os.path.join(self.data, "admin.key")) as f:
            self.key = f.read().strip()
        # The rest of stdout is not read: send it where it cannot fill a pipe.
        self.drain = subprocess.Popen(["cat"], stdin=self.proc.stdout, stdout=self.out)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        if self.proc:
            self.drain.wait(10)
            self.out.close()
        self.proc = None

    def call(self, method, path, body=None, token=None, headers=None, raw=None):
        """The JSON answer, or (status, error body) for a failure."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + (token or self.key))
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                text = r.read()
                return json.loads(text) if r.headers.get("Content-Type", "").startswith("application/json") else text
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


class LoopbackService(Service):
    """chromedriver, reached at 127.0.0.1: a machine may have no /etc/hosts naming localhost."""

    @property
    def service_url(self):
        return f"http://127.0.0.1:{self.port}"

    def is_connectable(self):
        return selenium_utils.is_connectable(self.port, "127.0.0.1")


def chromium(download_dir, profile_dir):
    """Starts Chromium with its DevTools on 127.0.0.1 and attaches chromedriver to it: left to
    start the browser itself, chromedriver reaches it as "localhost", which a machine without
    /etc/hosts cannot resolve. Returns (driver, browser process)."""
    # No network but loopback: background services off (this machine refuses the rest).
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-quic", "--no-first-run", "--disable-default-apps", "--disable-extensions",
             "--window-size=1280,800", "--user-data-dir=" + profile_dir,
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"]
    browser = subprocess.Popen(["/usr/bin/chromium", *flags], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile_dir, "DevToolsActivePort")  # the port it picked
    deadline = time.monotonic() + WAIT
    while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
        if browser.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("chromium did not start")
        time.sleep(0.05)
    port = int(open(port_file).read().split()[0])
    o = webdriver.ChromeOptions()
    o.debugger_address = f"127.0.0.1:{port}"
    o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=LoopbackService("/usr/bin/chromedriver"), options=o)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    return driver, browser


class StudioTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="syncline-studio-")
        self.nodes = []
        self.downloads = os.path.join(self.root, "downloads")
        os.makedirs(self.downloads)
        self.driver, self.browser = chromium(self.downloads, os.path.join(self.root, "profile"))
        self.requests = {}  # request id -> URL, from the performance log

    def tearDown(self):
        self.driver.quit()
        self.browser.terminate()
        self.browser.wait(30)
        for n in self.nodes:
            n.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def node(self, name, extra=("--manual-sync",)):
        n = Node(self.root, name, extra)
        self.nodes.append(n)
        return n

    # --- browser helpers -------------------------------------------------------------------
    def until(self, fn, what):
        # Live pages redraw as events come: an element found a moment ago may be gone; look again.
        return WebDriverWait(self.driver, WAIT, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: fn(), what)

    def idle(self):
        """Waits until the page has every answer it asked for (the studio counts them)."""
        self.until(lambda: self.driver.execute_script("return window.studioBusy === 0 && document.querySelector('main h1') !== null"),
                   "the page to finish loading")

    def css(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def sign_in_with_key(self, node):
        self.driver.get(node.url + "/studio/")
        self.until(lambda: self.driver.find_elements(By.ID, "signin-key"), "the sign-in page")
        self.css("#signin-key input[name=admin_key]").send_keys(node.key)
        self.css("#signin-key button").click()
        self.until(lambda: "Signed in as" in self.text(), "signed in")
        self.idle()

    def sign_in(self, node, user, password):
        self.driver.get(node.url + "/studio/")
        self.until(lambda: self.driver.find_elements(By.ID, "signin-password"), "the sign-in page")
        self.css("#signin-password input[name=username]").send_keys(user)
        self.css("#signin-password input[name=password]").send_keys(password)
        self.css("#signin-password button").click()

    def open(self, node, hash_path):
        self.driver.get(node.url + "/studio/#" + hash_path)
        self.idle()

    def problems(self):
        """Console errors and failed requests since the last call."""
        found = [f"console: {e['message']}" for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        for entry in self.driver.get_log("performance"):
            m = json.loads(entry["message"])["message"]
            p = m["params"]
            if m["method"] == "Network.requestWillBeSent":
                self.requests[p["requestId"]] = p["request"]["url"]
            elif m["method"] == "Network.responseReceived" and p["response"]["status"] >= 400:
                found.append(f"request: {p['response']['status']} {p['response']['url']}")
            elif m["method"] == "Network.loadingFailed" and not p.get("canceled"):
                # The page's own requests only: Chromium's own (it has no network here) are not its.
                url = self.requests.get(p["requestId"], "")
                if url.startswith("http://127.0.0.1"):
                    found.append(f"request failed: {p.get('errorText')} {url}")
        return found

    def screenshot(self, name):
        folder = os.environ.get("STUDIO_SCREENSHOTS")
        if folder:
            os.makedirs(folder, exist_ok=True)
            self.driver.save_screenshot(os.path.join(folder, name + ".png"))

    # --- the tests ------------------------------------------------------------------------
    def test_every_page_loads_with_no_console_error_and_no_failed_request(self):
        a, b = self.node("a"), self.node("b")
        for n in (a, b):
            n.call("PUT", "/v1/db/notes")
        a.call("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "Write the studio", "done": False})
        a.call("PUT", "/v1/db/notes/docs/tasks/t2", {"title": "Test it", "done": True})
        a.call("PUT", "/v1/db/notes/files/reports/q1.txt", raw=b"quarterly figures\n")
        a.call("PUT", "/v1/db/notes/indexes/tasks/done")
        a.call("PUT", "/v1/db/notes/rules/tasks", {"validate": {"title": {"$type": "string"}}})
        a.call("POST", "/v1/users", {"name": "reader", "password": "reader-password", "role": "read", "databases": ["notes"]})
        a.call("POST", "/v1/db/notes/clients", {"platform": {"name": "studio-test", "version": "1"}})
        a.call("POST", "/v1/db/notes/destinations", {"url": b.url, "remote_key": b.key})
        a.call("POST", "/v1/db/notes/sync/run?force=1")
        self.sign_in_with_key(a)
        self.assertEqual(self.problems(), [])
        pages = [("/", "node"), ("/users", "users")] + [
            (f"/db/notes/{p}", p) for p in ["documents", "files", "changes", "rules", "destinations",
                                            "activity", "conflicts", "clients", "collection-sync"]]
        for path, name in pages:
            with self.subTest(page=path):
                self.open(a, path)
                self.assertEqual(self.problems(), [], path)
                self.screenshot(name)
        # Readable at phone width too: the same page, no horizontal overflow of the page itself.
        self.driver.set_window_size(390, 844)
        self.open(a, "/db/notes/documents")
        self.assertLessEqual(self.driver.execute_script("return document.documentElement.scrollWidth"), 390 + 1)
        self.screenshot("documents-phone")
        self.assertEqual(self.problems(), [])

    def test_a_wrong_password_shows_an_error(self):
        a = self.node("a")
        a.call("PUT", "/v1/db/notes")
        a.call("POST", "/v1/users", {"name": "ann", "password": "right-password", "role": "read", "databases": ["notes"]})
        self.sign_in(a, "ann", "wrong-password")
        self.until(lambda: "Wrong user name or password." in self.text(), "the error")
        self.assertNotIn("Signed in as", self.text())
        self.screenshot("signin")
        # The right one signs in from the keyboard alone (Enter submits), and the token stays out
        # of the URL.
        self.css("#signin-password input[name=password]").clear()
        self.css("#signin-password input[name=password]").send_keys("right-password" + Keys.ENTER)
        self.until(lambda: "Signed in as" in self.text(), "signed in")
        self.assertNotIn("slt_", self.driver.current_url)
        # The menu works from the keyboard: Tab to the database's Documents page, Enter opens it.
        self.idle()
        self.css("body").send_keys(Keys.TAB)
        for _ in range(20):
            if self.driver.switch_to.active_element.text == "Documents":
                break
            self.driver.switch_to.active_element.send_keys(Keys.TAB)
        self.assertEqual(self.driver.switch_to.active_element.text, "Documents")
        self.driver.switch_to.active_element.send_keys(Keys.ENTER)
        self.until(lambda: self.driver.current_url.endswith("#/db/notes/documents"), "the page opened")

    def test_a_destination_added_in_the_studio_brings_a_file_put_on_the_source(self):
        a, b = self.node("a", ()), self.node("b", ())  # background sync on
        for n in (a, b):
            n.call("PUT", "/v1/db/photos")
        self.sign_in_with_key(a)
        self.open(a, "/db/photos/destinations")
        self.css("#add-destination input[name=url]").send_keys(b.url)
        self.css("#add-destination input[name=remote_key]").send_keys(b.key)
        self.css("#add-destination button").click()
        self.until(lambda: b.url in self.css("main").text, "the destination listed")
        a.call("PUT", "/v1/db/photos/files/trip/beach.jpg", raw=os.urandom(200000))
        # The destination page shows it caught up, live.
        self.until(lambda: "none" in [td.text for td in self.driver.find_elements(By.CSS_SELECTOR, "main td")], "lag none")
        self.screenshot("destinations")
        # On the destination's own studio, the file is there.
        self.driver.execute_script("sessionStorage.clear()")
        self.sign_in_with_key(b)
        self.open(b, "/db/photos/files?folder=trip%2F")
        self.until(lambda: "beach.jpg" in self.css("main").text, "the file on the destination")
        self.assertEqual(self.problems(), [])

    def make_conflict(self):
        a, b = self.node("a"), self.node("b")
        for n in (a, b):
            n.call("PUT", "/v1/db/notes")
        a.call("POST", "/v1/db/notes/destinations", {"url": b.url, "remote_key": b.key})
        b.call("POST", "/v1/db/notes/destinations", {"url": a.url, "remote_key": a.key})
        a.call("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "shared", "n": 1})
        a.call("POST", "/v1/db/notes/sync/run?force=1")
        a.call("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "changed on a", "n": 2})
        b.call("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "changed on b", "n": 1})
        a.call("POST", "/v1/db/notes/sync/run?force=1")
        conflicts = b.call("GET", "/v1/db/notes/conflicts")
        self.assertEqual(len(conflicts), 1, conflicts)
        return a, b

    def test_a_conflict_resolved_in_the_studio_leaves_both_nodes_agreeing(self):
        a, b = self.make_conflict()
        self.sign_in_with_key(b)
        self.open(b, "/db/notes/conflicts")
        self.driver.find_element(By.LINK_TEXT, "tasks/t1").click()
        self.until(lambda: self.driver.find_elements(By.ID, "conflict-detail"), "the two versions")
        self.assertIn("changed on b", self.css("pre[data-side=current]").text)
        self.assertIn("changed on a", self.css("pre[data-side=remote]").text)
        self.assertTrue(self.driver.find_elements(By.CSS_SELECTOR, ".diff .del"))
        self.assertTrue(self.driver.find_elements(By.CSS_SELECTOR, ".diff .add"))
        self.screenshot("conflict")
        self.driver.find_element(By.XPATH, "//button[text()='Keep remote']").click()
        self.until(lambda: "Resolved tasks/t1" in self.text(), "resolved")
        self.until(lambda: "No conflicts." in self.text(), "the list empty")
        b.call("POST", "/v1/db/notes/sync/run?force=1")
        a.call("POST", "/v1/db/notes/sync/run?force=1")
        doc_a = a.call("GET", "/v1/db/notes/docs/tasks/t1")
        doc_b = b.call("GET", "/v1/db/notes/docs/tasks/t1")
        self.assertEqual(doc_a, {"title": "changed on a", "n": 2})
        self.assertEqual(doc_b, doc_a)
        self.assertEqual(a.call("GET", "/v1/db/notes/conflicts"), [])
        self.assertEqual(b.call("GET", "/v1/db/notes/conflicts"), [])

    def test_a_file_uploaded_in_the_studio_downloads_back_identical(self):
        a = self.node("a")
        a.call("PUT", "/v1/db/files")
        data = os.urandom(3 * 1024 * 1024 + 17)
        local = os.path.join(self.root, "upload.bin")
        with open(local, "wb") as f:
            f.write(data)
        self.sign_in_with_key(a)
        self.open(a, "/db/files/files")
        self.css("#upload input[type=file]").send_keys(local)
        self.css("#upload button").click()
        self.until(lambda: "Uploaded upload.bin." in self.text(), "the upload to finish")
        meta = a.call("GET", "/v1/db/files/meta/upload.bin")
        self.assertEqual(meta["content_hash"], hashlib.sha256(data).hexdigest())
        self.until(lambda: self.driver.find_elements(By.LINK_TEXT, "upload.bin"), "the file listed")
        self.driver.find_element(By.LINK_TEXT, "upload.bin").click()
        self.until(lambda: self.driver.find_elements(By.ID, "file-detail"), "the file's page")
        self.screenshot("files")
        self.css("#file-detail button").click()  # Download
        target = os.path.join(self.downloads, "upload.bin")
        self.until(lambda: os.path.exists(target) and os.path.getsize(target) == len(data), "the download")
        with open(target, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(data).hexdigest())

    def test_an_edit_of_a_document_changed_meanwhile_says_so_and_overwrites_nothing(self):
        a = self.node("a")
        a.call("PUT", "/v1/db/notes")
        a.call("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "first"})
        self.sign_in_with_key(a)
        self.open(a, "/db/notes/documents?c=tasks")
        self.driver.find_element(By.LINK_TEXT, "t1").click()
        self.until(lambda: self.driver.find_elements(By.ID, "editor"), "the editor")
        area = self.css("#editor textarea")
        # Someone else saves first.
        a.call("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "theirs"})
        area.clear()
        area.send_keys('{"title": "mine"}')
        self.driver.find_element(By.XPATH, "//button[text()='Save']").click()
        self.until(lambda: "Someone else changed this document" in self.text(), "the message")
        self.assertIn("NOT saved", self.text())
        self.screenshot("document-conflict")
        self.assertEqual(a.call("GET", "/v1/db/notes/docs/tasks/t1"), {"title": "theirs"})
        # Reload shows theirs; an edit from there saves.
        self.driver.find_element(By.XPATH, "//button[text()='Reload']").click()
        self.until(lambda: "theirs" in self.css("#editor textarea").get_attribute("value"), "their version")
        area = self.css("#editor textarea")
        area.clear()
        area.send_keys('{"title": "mine, after theirs"}')
        self.driver.find_element(By.XPATH, "//button[text()='Save']").click()
        self.until(lambda: "Saved at etag" in self.text(), "saved")
        self.assertEqual(a.call("GET", "/v1/db/notes/docs/tasks/t1"), {"title": "mine, after theirs"})

    def test_a_read_only_user_sees_no_write_buttons_and_the_api_refuses_them(self):
        a = self.node("a")
        a.call("PUT", "/v1/db/notes")
        a.call("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "first"})
        a.call("PUT", "/v1/db/notes/files/f.txt", raw=b"x")
        a.call("POST", "/v1/users", {"name": "reader", "password": "reader-password", "role": "read", "databases": ["notes"]})
        self.sign_in(a, "reader", "reader-password")
        self.until(lambda: "Signed in as" in self.text(), "signed in")
        self.idle()
        nav = self.css("nav.side").text
        for hidden in ["Users & roles", "Destinations", "Activity", "Conflicts", "Clients", "Collection sync"]:
            self.assertNotIn(hidden, nav)
        self.open(a, "/db/notes/documents?c=tasks")
        self.assertFalse(self.driver.find_elements(By.XPATH, "//button[text()='New document']"))
        self.driver.find_element(By.LINK_TEXT, "t1").click()
        self.until(lambda: self.driver.find_elements(By.ID, "editor"), "the editor")
        self.assertFalse(self.driver.find_elements(By.XPATH, "//button[text()='Save' or text()='Delete']"))
        self.assertIsNotNone(self.css("#editor textarea").get_attribute("readonly"))
        self.open(a, "/db/notes/files")
        self.assertFalse(self.driver.find_elements(By.ID, "upload"))
        self.open(a, "/db/notes/rules")
        self.assertFalse(self.driver.find_elements(By.ID, "create-index"))
        self.open(a, "/")
        self.assertFalse(self.driver.find_elements(By.ID, "create-database"))
        self.assertFalse(self.driver.find_elements(By.XPATH, "//button[text()='Collect garbage']"))
        self.screenshot("read-only")
        self.assertEqual(self.problems(), [])
        token = self.driver.execute_script("return sessionStorage.getItem('syncline.credential')")
        for method, path, body in [("PUT", "/v1/db/notes/docs/tasks/t1", {"title": "no"}),
                                   ("DELETE", "/v1/db/notes/files/f.txt", None),
                                   ("POST", "/v1/db/notes/destinations", {"url": "http://127.0.0.1:9"}),
                                   ("PUT", "/v1/db/other", None)]:
            status, err = a.call(method, path, body, token=token)
            self.assertEqual((status, err["error"]), (403, "permission_denied"), path)
        self.assertEqual(a.call("GET", "/v1/db/notes/docs/tasks/t1"), {"title": "first"})

    def test_the_page_survives_the_server_restarting(self):
        a = self.node("a")
        a.call("PUT", "/v1/db/notes")
        self.sign_in_with_key(a)
        self.open(a, "/db/notes/changes")
        a.stop()
        self.until(lambda: "reconnecting" in self.text(), "the page to say the node is gone")
        a.start()
        self.until(lambda: "The node restarted" in self.text(), "the page to say it is back")
        a.call("PUT", "/v1/db/notes/docs/tasks/after", {"n": 1})
        self.until(lambda: "tasks/after" in self.css("main").text, "the change feed live again")

    def test_security_headers_and_no_inline_script(self):
        a = self.node("a")
        with urllib.request.urlopen(a.url + "/studio/") as r:
            csp = r.headers["Content-Security-Policy"]
            html = r.read().decode()
        self.assertIn("script-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(r.headers["X-Frame-Options"], "DENY")
        self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)")  # every script is a file
        self.assertNotRegex(html, r"\son[a-z]+=")             # no inline handlers

    def test_metrics_parse_as_prometheus_text_and_move_with_the_work(self):
        a, b = self.node("a"), self.node("b")
        for n in (a, b):
            n.call("PUT", "/v1/db/notes")
        a.call("POST", "/v1/db/notes/destinations", {"url": b.url, "remote_key": b.key})

        def scrape():
            text = a.call("GET", "/metrics").decode()
            samples = {}
            for family in text_string_to_metric_families(text):  # the client library's parser
                for s in family.samples:
                    samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
                samples[("type", family.name)] = family.type
            return samples

        before = scrape()
        for i in range(3):
            a.call("PUT", f"/v1/db/notes/docs/tasks/t{i}", {"i": i})
        a.call("PUT", "/v1/db/notes/files/f.bin", raw=os.urandom(100000))
        run = a.call("POST", "/v1/db/notes/sync/run?force=1")
        self.assertIsNone(run[0]["error_code"], run)
        after = scrape()

        def value(samples, name, **labels):
            return samples.get((name, tuple(sorted(labels.items()))), 0)

        for name, kind in [("syncline_http_requests", "counter"), ("syncline_http_request_duration_seconds", "histogram"),
                           ("syncline_replication_lag_items", "gauge"), ("syncline_sync_failures", "counter"),
                           ("process_resident_memory_bytes", "gauge"), ("syncline_chunk_dedup_ratio", "gauge")]:
            self.assertEqual(after.get(("type", name)), kind, name)
        route = "/v1/db/{db}/docs/{collection}/{key+}"
        self.assertEqual(value(after, "syncline_http_requests_total", route=route, method="PUT", code="200")
                         - value(before, "syncline_http_requests_total", route=route, method="PUT", code="200"), 3)
        self.assertEqual(value(after, "syncline_documents_written_total", db="notes")
                         - value(before, "syncline_documents_written_total", db="notes"), 3)
        self.assertEqual(value(after, "syncline_files_written_total", db="notes"), 1)
        dest = {"db": "notes", "destination": b.url}
        self.assertEqual(value(after, "syncline_sync_runs_total", **dest), 1)
        self.assertEqual(value(after, "syncline_sync_items_total", **dest), 4)
        self.assertGreaterEqual(value(after, "syncline_sync_transferred_bytes_total", **dest), 100000)
        self.assertEqual(value(after, "syncline_replication_lag_items", **dest), 0)
        self.assertEqual(value(after, "syncline_destination_up", **dest), 1)
        self.assertGreater(value(after, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(value(after, "syncline_http_received_bytes_total"),
                           value(before, "syncline_http_received_bytes_total") + 100000)
        # A failed run counts by its error code, and the lag shows.
        b.stop()
        a.call("PUT", "/v1/db/notes/docs/tasks/late", {"late": True})
        a.call("POST", "/v1/db/notes/sync/run?force=1")
        failed = scrape()
        self.assertEqual(value(failed, "syncline_sync_failures_total", code="unavailable", **dest), 1)
        self.assertEqual(value(failed, "syncline_replication_lag_items", **dest), 1)
        self.assertEqual(value(failed, "syncline_destination_up", **dest), 0)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main()
