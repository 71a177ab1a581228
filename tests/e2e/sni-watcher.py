#!/usr/bin/python3
# A minimal StatusNotifierWatcher, the session-bus service a desktop's tray runs: the window
# tests start it so the app's tray indicator registers with something, then read the
# indicator's properties over the bus as a tray would. Prints "ready", then "NAME PATH" for
# each item that registers. Needs Debian's python3-gi.
import sys

from gi.repository import Gio, GLib

XML = """<node><interface name="org.kde.StatusNotifierWatcher">
<method name="RegisterStatusNotifierItem"><arg type="s" direction="in"/></method>
<method name="RegisterStatusNotifierHost"><arg type="s" direction="in"/></method>
<property name="RegisteredStatusNotifierItems" type="as" access="read"/>
<property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
<property name="ProtocolVersion" type="i" access="read"/>
<signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
<signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
<signal name="StatusNotifierHostRegistered"/>
</interface></node>"""
IFACE = "org.kde.StatusNotifierWatcher"
items = []


def on_call(conn, sender, path, iface, method, params, invocation):
    if method == "RegisterStatusNotifierItem":
        service = params.unpack()[0]
        name, obj = (sender, service) if service.startswith("/") else (service, "/StatusNotifierItem")
        items.append(name + obj)
        print(name, obj, flush=True)
        conn.emit_signal(None, "/StatusNotifierWatcher", IFACE, "StatusNotifierItemRegistered", GLib.Variant("(s)", (name + obj,)))
    invocation.return_value(None)


def on_get(conn, sender, path, iface, prop):
    return {
        "RegisteredStatusNotifierItems": GLib.Variant("as", items),
        "IsStatusNotifierHostRegistered": GLib.Variant("b", True),
        "ProtocolVersion": GLib.Variant("i", 0),
    }.get(prop)


def on_bus(conn, name):
    info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
    conn.register_object("/StatusNotifierWatcher", info, on_call, on_get, None)


Gio.bus_own_name(
    Gio.BusType.SESSION,
    "org.kde.StatusNotifierWatcher",
    Gio.BusNameOwnerFlags.NONE,
    on_bus,
    lambda conn, name: print("ready", flush=True),
    lambda conn, name: sys.exit("the watcher's bus name was taken"),
)
GLib.MainLoop().run()
