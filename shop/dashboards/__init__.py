"""Home pages that tell the people who run the shop what to do now: the member's and the
cooperative admin's."""
