import structlog

structlog.get_logger().info("up")
