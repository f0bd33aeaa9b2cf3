"""Money: prices, orders, invoices, credit notes and payments, in integer pence. Money lives only here."""
