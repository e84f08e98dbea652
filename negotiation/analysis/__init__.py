"""Analysis of a scenario's outcome space (Pareto, Nash, Kalai-Smorodinsky) and the Bueno de
Mesquita forecast."""
