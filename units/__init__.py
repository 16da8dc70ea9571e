"""The network's members: facilities, ambulances, and the people who sign in for them."""
