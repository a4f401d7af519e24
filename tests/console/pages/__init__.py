"""Page objects of the staff console, for its tests: one module per screen, one class per
module, locators by role and label."""
