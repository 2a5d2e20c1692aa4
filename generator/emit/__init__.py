"""Back end: render templates (render), format (format), write atomically (write)."""
