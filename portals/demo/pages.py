"""Server-rendered pages of both demo flavours (Jinja2, autoescaped).

The two flavours are built differently on purpose — other URLs, field names, navigation and a
two-step submit on the Ariba-style one — so that only the driver changes per portal. The
``v2`` layout (a fault switch) renames tables and fields, as a portal release would;
``v2-form`` changes only the invoice form.
"""

from __future__ import annotations

from jinja2 import DictLoader, Environment, select_autoescape

_BASE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ title }} · {{ brand }}</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.flash-error,.errorBox{color:#b00020}
.flash-notice,.okBox{color:#1b5e20}nav a{margin-right:1em}</style></head><body>
<header><strong>{{ brand }}</strong>{% if user %} · signed in as {{ user }}{% endif %}</header>
{% block body %}{% endblock %}</body></html>"""

COUPA = {
    "base.html": _BASE,
    "login.html": """{% extends "base.html" %}{% block body %}<h1>Supplier sign in</h1>
{% if error %}<p class="flash-error" role="alert">{{ error }}</p>{% endif %}
{% if expired %}<p class="flash-error" role="alert">Your session has expired. Please sign in again.</p>{% endif %}
<form method="post" action="{{ root }}/login">
<label>Email <input name="user[login]" id="user_login"></label>
<label>Password <input type="password" name="user[password]" id="user_password"></label>
<button type="submit">Sign In</button></form>{% endblock %}""",
    "two_factor.html": """{% extends "base.html" %}{% block body %}<h1>Two-step verification</h1>
{% if error %}<p class="flash-error" role="alert">{{ error }}</p>{% endif %}
<form method="post" action="{{ root }}/two_factor">
<label>Verification code <input name="otp_code" id="otp_code" autocomplete="one-time-code"></label>
<button type="submit">Verify</button></form>{% endblock %}""",
    "orders.html": """{% extends "base.html" %}{% block body %}
<nav><a href="{{ root }}/orders">Orders</a><a href="{{ root }}/invoices">Invoices</a></nav>
<h1>Purchase Orders</h1><table id="{{ 'po-list' if v2 else 'orders' }}"><thead><tr><th>PO Number</th>
<th>Order Date</th><th>Total</th><th>Invoiced</th><th>Remaining</th><th>Currency</th><th>Status</th>
<th>Valid To</th><th></th></tr></thead><tbody>{% for po in orders %}
<tr data-po="{{ po.number }}"><td class="po-number">{{ po.number }}</td><td>{{ po.issued }}</td>
<td class="po-total">{{ po.total }}</td><td class="po-invoiced">{{ po.invoiced }}</td>
<td class="po-remaining">{{ po.remaining }}</td><td class="po-currency">{{ po.currency }}</td>
<td class="po-status">{{ po.status }}</td><td class="po-valid-to">{{ po.valid_to }}</td>
<td><a href="{{ root }}/orders/{{ po.number|urlencode }}/invoices/new">Create Invoice</a></td></tr>
{% endfor %}</tbody></table>{% endblock %}""",
    "invoice_new.html": """{% extends "base.html" %}{% block body %}
<h1>Create Invoice from PO {{ po.number }}</h1>
{% if error %}<p class="flash-error" role="alert">{{ error }}</p>{% endif %}
<p>Remaining on PO: {{ po.remaining }} {{ po.currency }}</p>
<form method="post" enctype="multipart/form-data" action="{{ root }}/orders/{{ po.number|urlencode }}/invoices">
<label>Invoice # <input name="{{ 'inv_no' if v2_form else 'invoice_number' }}"></label>
<label>Invoice Date <input type="date" name="invoice_date"></label>
<label>Line Description <input name="line_description" value="{{ po.description }}"></label>
<label>Line Amount (excl. VAT) <input name="line_amount"></label>
<label>VAT Amount <input name="tax_amount"></label>
<label>Currency <input name="currency" value="{{ po.currency }}"></label>
<label>Invoice Image (PDF) <input type="file" name="attachment"></label>
<button type="submit">{{ 'Send Invoice' if v2_form else 'Submit' }}</button></form>{% endblock %}""",
    "invoices.html": """{% extends "base.html" %}{% block body %}
<nav><a href="{{ root }}/orders">Orders</a><a href="{{ root }}/invoices">Invoices</a></nav>
{% if notice %}<p class="flash-notice" role="status">{{ notice }}</p>{% endif %}
<h1>Invoices</h1><form method="get"><input name="search" value="{{ search }}" aria-label="Search">
<button>Search</button></form><table id="invoices"><thead><tr><th>Invoice #</th><th>PO</th>
<th>Total</th><th>Status</th><th>Reason</th></tr></thead><tbody>{% for inv in invoices %}
<tr data-invoice="{{ inv.number }}"><td class="invoice-number">{{ inv.number }}</td>
<td>{{ inv.po_number }}</td><td>{{ inv.gross }} {{ inv.currency }}</td>
<td class="invoice-status">{{ inv.status }}</td><td class="invoice-reason">{{ inv.reason }}</td></tr>
{% endfor %}</tbody></table>{% endblock %}""",
}

ARIBA = {
    "base.html": _BASE,
    "signin.html": """{% extends "base.html" %}{% block body %}<h2>Supplier Login</h2>
{% if error %}<div class="errorBox" role="alert">{{ error }}</div>{% endif %}
{% if expired %}<div class="errorBox" role="alert">Your session timed out.</div>{% endif %}
<form method="post" action="{{ root }}/Authn/SignIn">
<label>User Name <input name="UserName"></label>
<label>Password <input type="password" name="Password"></label>
<input type="submit" value="Login"></form>{% endblock %}""",
    "home.html": """{% extends "base.html" %}{% block body %}<h2>Home</h2>
<nav><a href="{{ root }}/inbox/orders">Orders and Releases</a>
<a href="{{ root }}/outbox">Invoices</a></nav>{% endblock %}""",
    "orders.html": """{% extends "base.html" %}{% block body %}
<nav><a href="{{ root }}/inbox/orders">Orders and Releases</a><a href="{{ root }}/outbox">Invoices</a></nav>
<h2>Orders and Releases</h2><div id="{{ 'releases' if v2 else 'order-list' }}">{% for po in orders %}
<div class="po-card" data-order-number="{{ po.number }}">
<span class="order-number">{{ po.number }}</span> ·
<span class="customer">{{ po.client }}</span> ·
Amount <span class="amount">{{ po.currency }} {{ po.total }}</span> ·
Amount Invoiced <span class="amount-invoiced">{{ po.invoiced }}</span> ·
Order Status <span class="order-status">{{ 'Closed' if po.status != 'Open' else 'Open' }}</span> ·
Valid until <span class="valid-until">{{ po.valid_to }}</span>
<a class="create-invoice" href="{{ root }}/invoice/create?po={{ po.number|urlencode }}">Create Invoice</a>
</div>{% endfor %}</div>{% endblock %}""",
    "create.html": """{% extends "base.html" %}{% block body %}
<h2>Create Standard Invoice — Order {{ po.number }}</h2>
{% if error %}<div class="errorBox" role="alert">{{ error }}</div>{% endif %}
<form method="post" enctype="multipart/form-data" action="{{ root }}/invoice/review?po={{ po.number|urlencode }}">
<label>Invoice # <input name="{{ 'SupplierInvoiceID' if v2_form else 'InvoiceNumber' }}"></label>
<label>Invoice Date <input name="InvoiceDate" placeholder="YYYY-MM-DD"></label>
<label>Subtotal <input name="SubTotal"></label>
<label>Tax <input name="TaxAmount"></label>
<label>Currency <select name="Currency"><option>ZAR</option><option>USD</option></select></label>
<label>Add Attachment <input type="file" name="AttachmentFile"></label>
<input type="submit" value="Next"></form>{% endblock %}""",
    "review.html": """{% extends "base.html" %}{% block body %}<h2>Review Invoice {{ number }}</h2>
<p>Order {{ po }} · Subtotal {{ net }} · Tax {{ tax }} · Total {{ gross }} {{ currency }}</p>
<form method="post" action="{{ root }}/invoice/submit"><input type="hidden" name="draft" value="{{ draft }}">
<input type="submit" value="Submit"></form>{% endblock %}""",
    "outbox.html": """{% extends "base.html" %}{% block body %}
<nav><a href="{{ root }}/inbox/orders">Orders and Releases</a><a href="{{ root }}/outbox">Invoices</a></nav>
{% if notice %}<div class="okBox" role="status">{{ notice }}</div>{% endif %}
<h2>Invoices</h2><ul id="outbox">{% for inv in invoices %}
<li class="invoice-row" data-invoice-number="{{ inv.number }}"><span class="inv-no">{{ inv.number }}</span>
· order <span class="inv-order">{{ inv.po_number }}</span>
· <span class="inv-total">{{ inv.gross }} {{ inv.currency }}</span>
· <span class="inv-status">{{ ariba_status[inv.status] }}</span>
{% if inv.reason %}· <span class="inv-comment">{{ inv.reason }}</span>{% endif %}</li>
{% endfor %}</ul>{% endblock %}""",
}

ARIBA_STATUS = {"Pending Approval": "Sent", "Approved": "Approved", "Disputed": "On Hold",
                "Paid": "Paid", "Rejected": "Rejected"}


def environment(templates: dict[str, str]) -> Environment:
    return Environment(loader=DictLoader(templates), autoescape=select_autoescape(default=True))
