"""Knowledge tables: the place gazetteer, the industry taxonomy, and the linkers that
connect passages to them."""
