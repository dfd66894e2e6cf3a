#!/usr/bin/env python3
"""The dashboard in a real browser: Debian's chromium, chromium-driver and python3-selenium,
headless, against a real grantledgerd (--http) loaded with the sample grants. It opens the
overview and the RS/229/2025 page at one as-of point (effective 2025-12-31, as recorded up to
sequence 245, the whole sample), and checks that every figure shown equals the gRPC answer for
that point (YearEndService GetObligations, GetPosition, GetFinancialAccount; Debian's python3-grpcio with
message modules generated from proto/ at test time), that the burn-down canvas has been drawn,
and that the browser console has no errors.

Usage: dashboard_browser_test.py --grantledgerd PATH --grantledger PATH --source-dir DIR
                                 [--screenshots DIR]
With --screenshots the two pages are saved as DIR/dashboard-overview.png and
DIR/dashboard-grant.png (the README shows them; scripts/dashboard-screenshots.sh runs this).
"""
import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grantledger_protos  # noqa: E402

ARGS = None
AS_OF = "2025-12-31"
RECORDED = 245  # the whole sample file: every grant on the overview
GRANT = "RS/229/2025"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = ("install Debian's chromium, chromium-driver and python3-selenium "
           "(apt-get install chromium chromium-driver python3-selenium, or "
           "scripts/install-deps.sh)")


def kronor_to_ore(text):
    """'147 463 000 kr', '12 345,50 kr', '-3 000 kr' (ledger/money.h FormatKronor) to öre."""
    match = re.fullmatch(r"(-?)([0-9 ]+)(?:,([0-9]{2}))? kr", text.strip())
    if not match:
        raise AssertionError("not an amount in Swedish form: %r" % text)
    ore = int(match.group(2).replace(" ", "")) * 100 + int(match.group(3) or 0)
    return -ore if match.group(1) else ore


def status_word(o):
    """What the overview says of an obligation (the CLI's status word)."""
    if o.rejected:
        return "rejected"
    if not o.period_ended:
        return "in period"
    return o.status


class DashboardBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
        try:
            import selenium  # noqa: F401
        except ImportError:
            missing.append("python3-selenium")
        if missing:
            raise RuntimeError("the browser test needs %s: %s" % (", ".join(missing), INSTALL))
        cls.tmp = tempfile.TemporaryDirectory()
        tmp = cls.tmp.name
        grantledger_protos.generate(ARGS.source_dir, os.path.join(tmp, "gen"))
        cls.server = subprocess.Popen(
            [ARGS.grantledgerd, "--data-dir", os.path.join(tmp, "data"), "--listen",
             "127.0.0.1:0", "--http", "127.0.0.1:0"],
            stderr=subprocess.PIPE, text=True)
        cls.address = cls.http = None
        for line in cls.server.stderr:
            match = re.search(r"listening on (\S+?),.*dashboard (http://\S+?)/?$", line.strip())
            if match:
                cls.address, cls.http = match.group(1), match.group(2)
                break
        if cls.address is None:
            raise RuntimeError("grantledgerd did not start with --http")
        # Keep reading its log, so that a full pipe never stalls it.
        threading.Thread(target=lambda: cls.server.stderr.read(), daemon=True).start()
        subprocess.run([ARGS.grantledger, "post",
                        os.path.join(ARGS.source_dir, "examples", "sample-grants.jsonl"),
                        "--server", cls.address], check=True, stdout=subprocess.DEVNULL)
        cls.driver = cls.start_browser()

    @classmethod
    def start_browser(cls):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        options.add_argument("--headless=new")
        options.add_argument("--window-size=1400,2000")
        options.add_argument("--disable-gpu")
        options.add_argument("--disable-dev-shm-usage")
        if os.geteuid() == 0:
            options.add_argument("--no-sandbox")  # chromium refuses to run as root otherwise
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "driver", None):
            cls.driver.quit()
        if getattr(cls, "server", None):
            cls.server.send_signal(signal.SIGTERM)
            cls.server.communicate(timeout=60)
        cls.tmp.cleanup()

    # gRPC, the same as-of point.
    def call(self, method, request, response_type):
        import grpc
        with grpc.insecure_channel(self.address) as channel:
            call = channel.unary_unary(
                method, request_serializer=type(request).SerializeToString,
                response_deserializer=response_type.FromString)
            return call(request, timeout=30)

    def point(self):
        from grantledger.v1 import year_end_service_pb2 as ye
        return ye.AsOfPoint(as_of_date=AS_OF, as_of_sequence=RECORDED)

    def open(self, path):
        from selenium.webdriver.support.ui import WebDriverWait
        self.driver.get(self.http + path)
        WebDriverWait(self.driver, 30).until(
            lambda d: d.find_element("tag name", "body").get_attribute("data-ready"))
        self.assertEqual(self.driver.find_element("tag name", "body").get_attribute("data-ready"),
                         "yes", self.driver.find_element("id", "error").text)

    def assert_console_clean(self):
        errors = [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        self.assertEqual(errors, [], "the browser console has errors")

    def screenshot(self, name):
        if ARGS.screenshots:
            os.makedirs(ARGS.screenshots, exist_ok=True)
            self.driver.save_screenshot(os.path.join(ARGS.screenshots, name))

    def text(self, row, field):
        return row.find_element("css selector", '[data-field="%s"]' % field).text

    def test_overview_shows_the_grpc_obligations(self):
        from grantledger.v1 import year_end_service_pb2 as ye
        self.open("/?as_of=%s&recorded_as_of=%d" % (AS_OF, RECORDED))
        expected = self.call("/grantledger.v1.YearEndService/GetObligations",
                             ye.ObligationsRequest(as_of=self.point()), ye.ObligationsResponse)
        self.assertEqual(expected.as_of_sequence, RECORDED)
        rows = self.driver.find_elements("css selector", "#grants tbody tr")
        self.assertEqual(len(rows), len(expected.obligations))
        shown = {row.get_attribute("data-grant"): row for row in rows}
        for o in expected.obligations:
            row = shown[o.grant_id]
            for field in ("decided_ore", "received_ore", "eligible_spent_ore", "unused_ore",
                          "outstanding_ore"):
                self.assertEqual(kronor_to_ore(self.text(row, field)), getattr(o, field),
                                 "%s %s" % (o.grant_id, field))
            self.assertEqual(self.text(row, "repayment_deadline"), o.repayment_deadline)
            self.assertEqual(
                row.find_element("css selector", '[data-field="days_left"]')
                .get_attribute("data-days"), str(o.days_left))
            self.assertEqual(
                row.find_element("css selector", '[data-field="status"]')
                .get_attribute("data-status"), status_word(o))
            self.assertEqual(self.text(row, "grantor"), o.grantor)
        # Totals per grantor are the sums of the grants shown.
        for total in self.driver.find_elements("css selector", "#per-grantor tbody tr"):
            grantor = total.find_element("css selector", "td[data-grantor]").text
            unused = sum(o.unused_ore for o in expected.obligations if o.grantor == grantor)
            self.assertEqual(kronor_to_ore(self.text(total, "unused_ore")), unused, grantor)
        # Sorting by "Oanvänt" puts the largest first on the second click.
        header = self.driver.find_element("css selector", '#grants th[data-key="unused_ore"]')
        header.click()
        header.click()
        first = self.driver.find_element("css selector", "#grants tbody tr")
        self.assertEqual(kronor_to_ore(self.text(first, "unused_ore")),
                         max(o.unused_ore for o in expected.obligations))
        self.screenshot("dashboard-overview.png")
        self.assert_console_clean()

    def test_grant_page_shows_the_grpc_position_and_a_drawn_burndown(self):
        from grantledger.v1 import year_end_service_pb2 as ye
        self.open("/grant?id=%s&as_of=%s&recorded_as_of=%d" % (GRANT, AS_OF, RECORDED))
        position = self.call("/grantledger.v1.YearEndService/GetPosition",
                             ye.PositionRequest(grant_id=GRANT, as_of=self.point()),
                             ye.PositionResponse)
        obligations = self.call("/grantledger.v1.YearEndService/GetObligations",
                                ye.ObligationsRequest(as_of=self.point()), ye.ObligationsResponse)
        account = self.call("/grantledger.v1.YearEndService/GetFinancialAccount",
                            ye.FinancialAccountRequest(grant_id=GRANT, as_of=self.point()),
                            ye.FinancialAccountResponse)
        o = next(x for x in obligations.obligations if x.grant_id == GRANT)
        summary = self.driver.find_element("id", "summary")
        for field in ("decided_ore", "received_ore", "eligible_spent_ore", "unused_ore",
                      "outstanding_ore"):
            self.assertEqual(kronor_to_ore(self.text(summary, field)), getattr(o, field), field)
        self.assertEqual(kronor_to_ore(self.text(summary, "allocated_ore")),
                         position.balance.allocated_ore)
        lines = self.driver.find_elements("css selector", "#activities tbody tr")
        self.assertEqual(len(lines), len(position.balance.activities))
        overspent_rows = 0
        for row, line in zip(lines, position.balance.activities):
            self.assertEqual(row.get_attribute("data-line"), line.activity + " " + line.division)
            for field in ("allocated_ore", "spent_ore", "remaining_ore", "overspent_ore"):
                self.assertEqual(kronor_to_ore(self.text(row, field)), getattr(line, field))
            highlighted = "overspent" in row.get_attribute("class").split()
            self.assertEqual(highlighted, line.overspent_ore > 0, line.activity)
            overspent_rows += highlighted
        self.assertGreater(overspent_rows, 0, "the sample has an overspent line")
        divisions = self.driver.find_elements("css selector", "#divisions tbody tr")
        self.assertEqual([r.get_attribute("data-division") for r in divisions],
                         [d.division for d in position.balance.divisions])
        account_rows = self.driver.find_elements("css selector", "#account tbody tr")
        self.assertEqual([kronor_to_ore(self.text(r, "amount_ore")) for r in account_rows],
                         [line.spent_ore for line in account.lines])
        footer = self.driver.find_element("css selector", "#account tfoot")
        self.assertEqual(kronor_to_ore(self.text(footer, "used_ore")), account.used_ore)
        # History: at the recorded point, the newest row is the grant's last by then.
        history = self.driver.find_elements("css selector", "#history tbody tr")
        self.assertGreater(len(history), 0)
        self.assertLessEqual(int(history[-1].get_attribute("data-sequence")), RECORDED)
        # The burn-down canvas has been drawn: pixels that are not transparent.
        canvas = self.driver.find_element("id", "burndown")
        drawn = self.driver.execute_script(
            "const c = arguments[0]; const d = c.getContext('2d')"
            ".getImageData(0, 0, c.width, c.height).data; let n = 0;"
            "for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++; return n;", canvas)
        self.assertGreater(drawn, 1000, "the burn-down canvas is blank")
        self.screenshot("dashboard-grant.png")
        self.assert_console_clean()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--grantledgerd", required=True)
    parser.add_argument("--grantledger", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--screenshots", default="")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
