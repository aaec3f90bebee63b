package dev.hotplug.framework;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.text.MessageFormat;
import java.util.ResourceBundle;

/** The {@link System.Logger} a module gets, writing to SLF4J under {@code hotplug.module.NAME}. Thread-safe. */
final class Slf4jSystemLogger implements System.Logger {

    private final Logger logger;

    Slf4jSystemLogger(String module) {
        this.logger = LoggerFactory.getLogger("hotplug.module." + module);
    }

    @Override
    public String getName() {
        return logger.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return switch (level) {
            case ALL, TRACE -> logger.isTraceEnabled();
            case DEBUG -> logger.isDebugEnabled();
            case INFO -> logger.isInfoEnabled();
            case WARNING -> logger.isWarnEnabled();
            case ERROR -> logger.isErrorEnabled();
            case OFF -> false;
        };
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        if (!isLoggable(level)) {
            return;
        }
        String text = bundle != null && message != null && bundle.containsKey(message) ? bundle.getString(message) : message;
        switch (level) {
            case ALL, TRACE -> logger.trace(text, thrown);
            case DEBUG -> logger.debug(text, thrown);
            case INFO -> logger.info(text, thrown);
            case WARNING -> logger.warn(text, thrown);
            case ERROR -> logger.error(text, thrown);
            case OFF -> { }
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (!isLoggable(level)) {
            return;
        }
        String pattern = bundle != null && format != null && bundle.containsKey(format) ? bundle.getString(format) : format;
        String text = params == null || params.length == 0 ? pattern : MessageFormat.format(pattern, params);
        log(level, null, text, (Throwable) null);
    }
}
