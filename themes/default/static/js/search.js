// Search client: replaced by the search feature.
