"""Small data tables of the package (profile-table headers and level names) and the script that builds them."""
