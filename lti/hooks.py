"""What lti adds to the course core (courses.plugins): nothing in the course menu; its
pages are reached from the platform's launch, its commands from the admin."""
