"""Services of the workflows: each transition of a state machine is made, logged and announced here."""
