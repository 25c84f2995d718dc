"""The fintech ledger of a sandbox: accounts, transactions, transfers, compliance flags."""
