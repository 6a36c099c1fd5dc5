"""The built-in sandbox acquirer: a test bank on this same site (mounted at /sandbox-acquirer/) that behaves like a
real one, so that paying runs end to end on one machine (F-E2).

- `bank.py` is the bank's side: its orders, the card page and the 3-D Secure step, the verdict per test card,
  signed server-to-server notifications (HMAC-SHA256 of the body, header `X-Sandbox-Signature`), retried until the
  shop answers 2xx, and status requests;
- `provider.py` is the shop's side: the `AcquiringProvider` the portal talks to;
- `views.py` and `forms.py` are the bank's pages (card form with Luhn and expiry checks, the code from «SMS»).

Test cards (any future expiry, any three-digit CVV2; the 3-D Secure code is 12345):

  4111 1111 1111 1111, 5555 5555 5555 4444, 2200 0000 0000 0004   the payment succeeds
  4000 0000 0000 0002                                              declined: insufficient funds
  4000 0000 0000 0119                                              the bank does not answer in time: the shop gets
                                                                   no notification and learns the outcome (charged)
                                                                   only by asking, as its reconciliation job does

A session of the card page lasts 20 minutes; after that the order expires (status «expired», notified).
"""
