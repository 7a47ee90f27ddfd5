#!/usr/bin/python3
"""The window staff console in a real browser.

Starts `hcpctl hub` on the demo hall in a temp folder (config, API tokens and staff PIN file),
opens http://127.0.0.1:PORT/console/ in headless Chromium driven over the DevTools protocol,
and checks what staff do: a wrong PIN shows the API's Chinese message; sign-in; a ticket taken
through the API appears in the live counts without a reload (EventSource); 叫号 (a double click
calls once) shows the number; F2 recalls; F4 opens 办结, which with a case number and item
completes the ticket and opens the rating terminal of that window (GET /api/v1/cases/{no}).

Exit 0: passed, 1: failed, 77: skipped (chromium is not installed).
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SYSTEM_TOKEN = "web-test-system-token-0123456789"
STAFF_NO, PIN, WINDOW = "1001", "246810", 1
CASE_NO = "WEB-2026-0001"


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def argon2id_hash(pin):
    """The pin_hash line, made with libsodium's crypto_pwhash_str like the hub's hash_staff_pin."""
    lib = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
    if lib.sodium_init() < 0:
        raise Failure("libsodium did not initialise")
    lib.crypto_pwhash_opslimit_interactive.restype = ctypes.c_ulonglong
    lib.crypto_pwhash_memlimit_interactive.restype = ctypes.c_size_t
    lib.crypto_pwhash_str.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_ulonglong,
                                      ctypes.c_size_t]
    out = ctypes.create_string_buffer(lib.crypto_pwhash_strbytes())
    pw = pin.encode()
    if lib.crypto_pwhash_str(out, pw, len(pw), lib.crypto_pwhash_opslimit_interactive(),
                             lib.crypto_pwhash_memlimit_interactive()) != 0:
        raise Failure("crypto_pwhash_str failed")
    return out.value.decode()


def write_private(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def hub_files(work, assets, port, hcpctl):
    text = open(os.path.join(assets, "config", "demo-hall.toml"), encoding="utf-8").read()

    def replace(old, new, count=1):
        nonlocal text
        if old not in text:
            raise Failure("demo-hall.toml has no " + old)
        text = text.replace(old, new, count)

    replace('assets = ".."', 'assets = "%s"' % assets)
    replace('data = "../../var/demo"', 'data = "%s"' % work)
    # No upload (nothing to upload to); the API on our port; tickets at any hour of the day.
    text = re.sub(r"\n\[upload\]\n.*?(?=\n\[)", "\n", text, flags=re.S)
    replace("\n[terminal]\n", '\n[api]\nlisten = "127.0.0.1:%d"\ntokens_file = "api-tokens.toml"\n\n[terminal]\n' % port)
    text = re.sub(r'opens = "\d\d:\d\d"', 'opens = "00:00"', text)
    text = re.sub(r'closes = "\d\d:\d\d"', 'closes = "23:59"', text)
    # Window 1 prints its 办件回执 on a file "printer" the test reads back.
    replace('name = "1号窗口 社保医保"\n', 'name = "1号窗口 社保医保"\nreceipt_printer = "file:%s"\n'
            % os.path.join(work, "receipts-window-1.bin"))
    with open(os.path.join(work, "hall.toml"), "w", encoding="utf-8") as f:
        f.write(text)
    write_private(os.path.join(work, "api-tokens.toml"),
                  '[[system]]\nid = "web-test"\ntoken = "%s"\n' % SYSTEM_TOKEN)
    write_private(os.path.join(work, "staff-pins.toml"),
                  '[[staff]]\nnumber = "%s"\npin_hash = "%s"\n' % (STAFF_NO, argon2id_hash(PIN)))
    # The store's key, and the hall's QR key so that receipts carry their rating QR.
    for key in ("store.key", "qr-token.key"):
        subprocess.run([hcpctl, "key", "create", os.path.join(work, key)], check=True, stdout=subprocess.DEVNULL)


def http(method, url, body=None, token=SYSTEM_TOKEN):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait(what, check, seconds=15.0):
    until = time.monotonic() + seconds
    last = None
    while time.monotonic() < until:
        try:
            last = check()
            if last:
                return last
        except (OSError, ValueError) as e:
            last = e
        time.sleep(0.1)
    raise Failure("timed out waiting for %s (last: %r)" % (what, last))


class Browser:
    """Headless Chromium and one page, over the DevTools protocol."""

    def __init__(self, work):
        import websocket  # Debian python3-websocket

        self.profile = os.path.join(work, "chromium-profile")
        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
             "--disable-dev-shm-usage", "--remote-debugging-port=0", "--user-data-dir=" + self.profile,
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "chromium.log"), "w"))
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        wait("chromium's DevTools port", lambda: os.path.exists(port_file) and open(port_file).read().strip(), 30)
        port = int(open(port_file).read().split()[0])

        def page_target():
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=5) as r:
                pages = [t for t in json.loads(r.read()) if t.get("type") == "page"]
            return pages[0]["webSocketDebuggerUrl"] if pages else None

        url = wait("a page in chromium", page_target, 15)
        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.console = []
        self.call("Runtime.enable")
        self.call("Page.enable")

    def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == "Runtime.exceptionThrown":
                self.console.append("exception: " + json.dumps(msg["params"]["exceptionDetails"])[:500])
            if msg.get("method") == "Runtime.consoleAPICalled":
                self.console.append("console: " + json.dumps(msg["params"]["args"])[:300])
            if msg.get("id") == mine:
                if "error" in msg:
                    raise Failure("%s: %s" % (method, msg["error"]))
                return msg["result"]

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise Failure("page script failed: %s\n%s" % (expression, json.dumps(r["exceptionDetails"])[:800]))
        return r["result"].get("value")

    def screenshot(self, path):
        """The page as a PNG, for a person to look at."""
        import base64
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def text(self, selector):
        return self.js("(document.querySelector(%s) || {}).textContent || ''" % json.dumps(selector))

    def key(self, name, code):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=name, code=name, windowsVirtualKeyCode=code,
                      nativeVirtualKeyCode=code)

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def check(condition, what):
    if not condition:
        raise Failure(what)
    print("ok:", what)


def run(args, work):
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    api = base + "/api/v1"
    hub_files(work, os.path.abspath(args.assets), port, args.hcpctl)
    hub_log = open(os.path.join(work, "hub.log"), "w")
    hub = subprocess.Popen([args.hcpctl, "hub", "--config", os.path.join(work, "hall.toml")],
                           stdout=hub_log, stderr=subprocess.STDOUT)
    browser = None
    try:
        wait("the hub's /api/v1/health", lambda: http("GET", api + "/health", token=None)[0] == 200, 30)
        browser = Browser(work)
        browser.call("Page.navigate", url=base + "/console/")
        wait("the sign-in form", lambda: browser.js(
            "document.readyState === 'complete' && !document.getElementById('signin').hidden"))

        # Whatever the page's own rules say, an element marked hidden is not shown: a window
        # without a receipt printer must not show a ticked "打印办件回执" or "重打回执 F10".
        shown_hidden = browser.js("""[...document.querySelectorAll('[hidden]')]
            .filter(e => getComputedStyle(e).display !== 'none').map(e => e.id || e.className)""")
        check(shown_hidden == [], "every hidden element is hidden (shown anyway: %s)" % shown_hidden)

        def sign_in(pin):
            browser.js("""(() => {
                document.getElementById('signin-window').value = %d;
                document.getElementById('signin-staff').value = %s;
                document.getElementById('signin-pin').value = %s;
                document.getElementById('signin-button').click(); })()""" % (WINDOW, json.dumps(STAFF_NO),
                                                                           json.dumps(pin)))

        # A wrong PIN: the API's message, in Chinese, on the form.
        sign_in("000000")
        msg = wait("the wrong-PIN message", lambda: browser.text("#signin-message").startswith("工号或密码") and
                   browser.text("#signin-message"))
        check("工号或密码不正确" in msg and "还可再试 4 次" in msg, "a wrong PIN shows the API's message: " + msg)

        sign_in(PIN)
        wait("the console after sign-in", lambda: browser.js("!document.getElementById('console').hidden"))
        check("王丽" in browser.text("#staff-name"), "signed in as 王丽 at " + browser.text("#window-name"))
        wait("the live connection", lambda: browser.text("#live") == "● 实时")

        def waiting(code):
            return browser.js("""(() => { const r = document.querySelector('#counts tr[data-category=%s] td.waiting');
                                  return r ? r.textContent : null; })()""" % json.dumps(code))

        before = wait("the queue counts", lambda: waiting("SBYB"))
        # Two tickets taken through the API (the ticket station's way): the counts follow live.
        first = http("POST", api + "/tickets", {"category": "SBYB"})
        second = http("POST", api + "/tickets", {"category": "SBYB"})
        check(first[0] == 201 and second[0] == 201, "tickets %s and %s taken" % (first[1]["number"], second[1]["number"]))
        reloads = browser.js("performance.getEntriesByType('navigation').length")
        wait("the live count of SBYB", lambda: waiting("SBYB") == str(int(before) + 2))
        check(browser.js("performance.getEntriesByType('navigation').length") == reloads,
              "the count went from %s to %s without a reload" % (before, waiting("SBYB")))

        # 叫号, clicked twice at once: the button is disabled while the request runs, one call.
        browser.js("""(() => { const b = document.querySelector('button[data-action="call-next"]');
                      b.click(); b.click(); })()""")
        number = first[1]["number"]
        wait("the called number", lambda: browser.text("#current-number") == number)
        check(True, "叫号 shows %s large" % number)
        wait("the count after the call", lambda: waiting("SBYB") == str(int(before) + 1))
        status, queue = http("GET", api + "/queue")
        win = [w for w in queue["windows"] if w["window"] == WINDOW][0]
        sbyb = [c for c in queue["categories"] if c["code"] == "SBYB"][0]
        check(win["current"]["number"] == number and sbyb["waiting"] == int(before) + 1,
              "a double click called once (%s still waits)" % second[1]["number"])
        check("请 %s 号到" % number in browser.text("#message"), "the page says: " + browser.text("#message"))

        # F2: 重呼 from the keyboard.
        browser.key("F2", 113)
        wait("the recall message", lambda: browser.text("#message").startswith("重呼"))
        check(True, "F2 recalled: " + browser.text("#message"))

        # F4: 办结 with a case number and the item, then the rating terminal opens at window 1.
        browser.key("F4", 115)
        wait("the 办结 form", lambda: browser.js("!document.getElementById('complete-form').hidden"))
        item = browser.js("document.getElementById('complete-item').value")
        check(bool(item), "the item select offers the category's items (%s)" % item)
        browser.js("""(() => { document.getElementById('complete-case').value = %s;
                      document.querySelector('#complete-form button[type=submit]').click(); })()""" % json.dumps(CASE_NO))
        msg = wait("the 办结 message", lambda: "已办结" in browser.text("#message") and browser.text("#message"))
        check("评价器已打开" in msg, "the page says: " + msg)
        wait("the current number cleared", lambda: browser.text("#current-number") == "—")
        status, case = http("GET", api + "/cases/" + CASE_NO)
        check(status == 200 and case["rating_open"] is True and case["case"]["window"] == WINDOW,
              "GET /cases/%s: rating open at window %d" % (CASE_NO, WINDOW))
        check(case["case"]["item"]["code"] == item, "the case carries the chosen item (%s)" % case["case"]["item"]["name"])

        # The 办件回执 went to window 1's printer; the receipt_printed event says so on the page.
        receipt = wait("the receipt line", lambda: "回执已打印" in browser.text("#receipt-text")
                       and browser.text("#receipt-text"))
        check(CASE_NO in receipt, "the page says: " + receipt)
        if args.shots:
            browser.screenshot(os.path.join(args.shots, "console-receipt-printed.png"))
        printed = os.path.getsize(os.path.join(work, "receipts-window-1.bin"))
        check(printed > 5000, "the receipt with its QR reached the printer (%d bytes of ESC/POS)" % printed)
        # F10: 重打回执 prints a second copy.
        browser.key("F10", 121)
        # Done when the copy is on paper and the page has the reply and the event (the 重打 button
        # is back and enabled; while the request runs every button is disabled).
        wait("the second copy", lambda: os.path.getsize(os.path.join(work, "receipts-window-1.bin")) >= 2 * printed
             and "回执已打印" in browser.text("#receipt-text")
             and browser.js("(b => !b.hidden && !b.disabled)(document.getElementById('receipt-reprint'))"))
        check(True, "F10 printed the receipt again")

        # A refusal shows the API's own message: 特呼 of a number that does not exist.
        browser.js("document.querySelector('button[data-action=\"open-call\"]').click()")
        browser.js("""(() => { document.getElementById('call-number').value = 'A999';
                      document.getElementById('call-reason').value = '群众返回';
                      document.querySelector('#call-form button[type=submit]').click(); })()""")
        msg = wait("the refusal", lambda: browser.js("document.getElementById('message').className.includes('error')")
                   and browser.text("#message"))
        check(re.search(r"[\u4e00-\u9fff]", msg) is not None, "a refusal is shown in Chinese: " + msg)

        # 退出登录: the window closes; the page returns to the sign-in form.
        browser.js("document.getElementById('signout-button').click()")
        wait("the sign-in form after sign-out", lambda: browser.js("!document.getElementById('signin').hidden"))
        status, queue = http("GET", api + "/queue")
        check([w for w in queue["windows"] if w["window"] == WINDOW][0]["open"] is False, "signed out: window closed")
        errors = [c for c in browser.console if c.startswith("exception")]
        check(not errors, "no script errors in the page %s" % errors)
    finally:
        if browser:
            browser.close()
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(15)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait()
        hub_log.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hcpctl", required=True)
    p.add_argument("--assets", required=True)
    p.add_argument("--keep", action="store_true", help="keep the temp folder")
    p.add_argument("--shots", help="folder for screenshots of the page")
    args = p.parse_args()
    if shutil.which("chromium") is None:
        print("SKIP: chromium is not installed (apt-get install chromium, or ./dev)")
        return 77
    work = tempfile.mkdtemp(prefix="hcp-web-")
    try:
        run(args, work)
        print("PASS")
        return 0
    except Exception as e:  # a Failure, or anything unexpected (a missing field, a dead browser)
        print("FAIL: %s: %s" % (type(e).__name__, e))
        for name in ("hub.log", "chromium.log"):
            path = os.path.join(work, name)
            if os.path.exists(path):
                print("---- %s (last lines)" % name)
                print("".join(open(path, errors="replace").readlines()[-30:]))
        return 1
    finally:
        if args.keep:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
