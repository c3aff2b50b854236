"""Understanding messages offline: language, sentiment, toxicity, intent, PII and keywords."""
