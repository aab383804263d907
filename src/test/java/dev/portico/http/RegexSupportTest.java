package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegexSupportTest {

    @ParameterizedTest(name = "{0} on {1}: group {2} is {3}")
    @CsvSource(delimiter = '|', value = {
        "^/(?<user_id>\\d+)$             | /42     | 1 | user_id",
        "^/(?P<tab>\\w+)$                | /posts  | 1 | tab",
        "^/(?'q'\\w+)$                   | /x      | 1 | q",
        "(a)(?:b)(?<n>c)                 | abc     | 2 | n",
        "[(](?<n>\\d)                    | (7      | 1 | n",
        "\\((?P<n>\\d)\\)                | (7)     | 1 | n",
        "[^]()](?<n>x)                   | ax      | 1 | n",
        "(?<w>z)(?P=w)                   | zz      | 1 | w",
        "(?'w'z)\\k<w>                   | zz      | 1 | w",
        "(?i)(?<up>AB)                   | ab      | 1 | up",
        "(?<=a)(?<after>b)               | ab      | 1 | after",
    })
    void namedGroupsOfPcreBecomeNumberedGroupsWithNames(String re, String input, int group, String name) {
        Pattern p = RegexSupport.compile(re, false);
        Matcher m = p.matcher(input);
        assertThat(m.find()).isTrue();
        assertThat(RegexSupport.groupNames(p)[group]).isEqualTo(name);
        assertThat(m.group(group)).isNotNull();
    }

    @ParameterizedTest
    @CsvSource({"^/a/(\\d+)$", "plain", "(?:x)"})
    void patternsWithoutNamesHaveNoNames(String re) {
        assertThat(RegexSupport.groupNames(RegexSupport.compile(re, false))).isEmpty();
    }
}
