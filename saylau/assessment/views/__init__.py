"""Pages of the assessment app, one module per audience: the bank (methodologists), tests (trainers and
coordinators), taking a test (examinees)."""
