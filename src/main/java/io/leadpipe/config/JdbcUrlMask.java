package io.leadpipe.config;

import java.util.regex.Pattern;

/** A JDBC URL as it may be printed: any password in it (PASSWORD=, password=, user:password@) replaced by ***. */
public final class JdbcUrlMask {

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([;?&][a-z_]*password\\s*=)[^;&]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@?;]*:)[^@/?;]*@");

    private JdbcUrlMask() {
    }

    /** The value with its passwords masked when it is a JDBC URL; anything else unchanged. */
    public static String mask(String value) {
        if (value == null || !value.regionMatches(true, 0, "jdbc:", 0, 5)) return value;
        return USER_INFO.matcher(PASSWORD_PARAMETER.matcher(value).replaceAll("$1***")).replaceAll("$1***@");
    }
}
