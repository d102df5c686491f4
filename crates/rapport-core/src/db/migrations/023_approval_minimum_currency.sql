-- An approval rule's minimum value may name its currency: 10,000 EUR is not 10,000 JPY. A rule with a currency
-- compares deals in that currency, and asks for approval of a deal in any other (or in none), which it cannot
-- compare; a rule without one (every rule until now) compares the amount whatever its currency, as before.
ALTER TABLE approval_rules ADD COLUMN min_currency TEXT NOT NULL DEFAULT '';
