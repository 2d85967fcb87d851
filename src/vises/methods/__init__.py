"""The built-in methods: normalisers, aggregators, outlier treatments, imputers, denominators."""
