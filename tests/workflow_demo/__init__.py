"""A tiny lifecycle used only by the tests of the kit's transition engine and history pattern."""
