"""Route → minimum role, one module per feature area (each defines ``POLICY``); merged by test_roles."""
