"""Keeping a kiosk display alive: Chromium restarted, a crashed tab reloaded.

`supervisor.Supervisor` runs Chromium for `immersion kiosk DISPLAY --launch`, watches
its tab through the DevTools protocol on a pipe (`devtools.py`, never a port), and
brings either back after a wait from `backoff.py`, its profile made free before each
start (`profile.py`); `state.LauncherState` holds what it did, for the display's
heartbeat.
"""
