#!/usr/bin/perl
# Drive Firefox ESR, set up like Tor Browser at "Safest", for
# tests/integration/test_browser.py (through browserlib.py).
#
# Usage: browser_driver.pl WIDTH HEIGHT
#
# Starts a headless Firefox through Debian's libfirefox-marionette-perl (no
# geckodriver), with a fresh profile whose prefs turn off JavaScript, SVG,
# MathML, downloadable fonts, WebAssembly and the JITs, and send every
# connection that is not to 127.0.0.1 to a closed local port (the test runs
# offline; nothing may leave the machine).  Then it reads one JSON command per
# line on stdin and answers one JSON object per line on stdout:
#
#   {"cmd":"go","url":U}                    navigate; answers title and url
#   {"cmd":"type","css":S,"text":T}         type into the element S
#   {"cmd":"upload","css":S,"path":P}       choose file P in the file input S
#   {"cmd":"click","css":S}                 click S (a submit button), wait for the page
#   {"cmd":"page"}                          title, url and the DOM as HTML
#   {"cmd":"rect","css":S}                  the element's x, y, width, height
#   {"cmd":"count","css":S}                 how many elements match S
#   {"cmd":"shot","path":P}                 PNG of the viewport into P
#   {"cmd":"pref","name":N}                 a pref as the profile set it (prefs.js)
#   {"cmd":"quit"}
#
# Every answer has "ok" (true or false) and, when false, "error".
use strict;
use warnings;
use Firefox::Marionette ();
use JSON::PP           ();

my ( $width, $height ) = @ARGV;
$width  ||= 1000;
$height ||= 800;

# Tor Browser's "Safest" level, as far as prefs can express it.
my %safest = (
    'javascript.enabled'                => 'false',
    'svg.disabled'                      => 'true',
    'mathml.disabled'                   => 'true',
    'gfx.downloadable_fonts.enabled'    => 'false',
    'javascript.options.wasm'           => 'false',
    'javascript.options.asmjs'          => 'false',
    'javascript.options.ion'            => 'false',
    'javascript.options.baselinejit'    => 'false',
    'javascript.options.native_regexp'  => 'false',
    'media.autoplay.default'            => '5',
    'webgl.disabled'                    => 'true',
    'network.http.referer.XOriginPolicy' => '2',
);

# Offline: every proxied connection goes to a closed port, and only
# 127.0.0.1 is reached directly.
my %offline = (
    'network.proxy.type'                       => '1',
    'network.proxy.http'                       => '"127.0.0.1"',
    'network.proxy.http_port'                  => '9',
    'network.proxy.ssl'                        => '"127.0.0.1"',
    'network.proxy.ssl_port'                   => '9',
    'network.proxy.socks'                      => '"127.0.0.1"',
    'network.proxy.socks_port'                 => '9',
    'network.proxy.socks_remote_dns'           => 'true',
    'network.proxy.no_proxies_on'              => '"127.0.0.1"',
    'network.proxy.allow_hijacking_localhost'  => 'false',
    'network.captive-portal-service.enabled'   => 'false',
    'network.connectivity-service.enabled'     => 'false',
    'network.trr.mode'                         => '5',
    'browser.safebrowsing.malware.enabled'     => 'false',
    'browser.safebrowsing.phishing.enabled'    => 'false',
    'browser.safebrowsing.downloads.enabled'   => 'false',
    'extensions.update.enabled'                => 'false',
    'extensions.getAddons.cache.enabled'       => 'false',
    'datareporting.healthreport.uploadEnabled' => 'false',
    'toolkit.telemetry.enabled'                => 'false',
    'browser.ping-centre.telemetry'            => 'false',
    'services.settings.server'                 => '"http://127.0.0.1:9/"',
    'privacy.trackingprotection.enabled'       => 'false',
    'browser.translations.enable'              => 'false',
    'geo.enabled'                              => 'false',
);

my $json = JSON::PP->new->canonical->utf8;
$| = 1;

sub answer {
    my ($h) = @_;
    print $json->encode($h), "\n";
    return;
}

my $profile = Firefox::Marionette::Profile->new();
for my $k ( sort keys %safest ) {
    $profile->set_value( $k, $safest{$k}, 0 );
}
for my $k ( sort keys %offline ) {
    my $v = $offline{$k};
    my $quoted = $v =~ s/^"(.*)"$/$1/ ? 1 : 0;
    $profile->set_value( $k, $v, $quoted );
}

my $ff = eval {
    Firefox::Marionette->new(
        profile   => $profile,
        width     => $width,
        height    => $height,
        page_load => 60_000,
        implicit  => 0,
    );
};
if ( !$ff ) {
    answer( { ok => JSON::PP::false, error => "firefox did not start: " . ( $@ || '?' ) } );
    exit 1;
}
answer( { ok => JSON::PP::true, version => $ff->browser_version } );

sub where {
    return { ok => JSON::PP::true, title => $ff->title, url => $ff->uri . q[] };
}

my %cmds = (
    go => sub {
        my ($c) = @_;
        $ff->go( $c->{url} );
        return where();
    },
    type => sub {
        my ($c) = @_;
        my $e = $ff->find_selector( $c->{css} );
        $e->clear;
        $e->type( $c->{text} );
        return { ok => JSON::PP::true };
    },
    upload => sub {
        my ($c) = @_;
        $ff->find_selector( $c->{css} )->type( $c->{path} );
        return { ok => JSON::PP::true };
    },
    click => sub {
        my ($c) = @_;
        my $before = $ff->uri . q[];
        my $old    = $ff->find_tag('html');
        $ff->find_selector( $c->{css} )->click;
        # A form post may land on the same URL: wait until the old document
        # is gone (its element goes stale) and the new one has loaded.
        my $deadline = time + 60;
        while ( time < $deadline ) {
            my $stale = !eval { $old->tag_name; 1 };
            last if $stale && $ff->loaded;
            select undef, undef, undef, 0.1;
        }
        return where();
    },
    page => sub {
        my $w = where();
        $w->{html} = $ff->html;
        return $w;
    },
    rect => sub {
        my ($c) = @_;
        my $r = $ff->find_selector( $c->{css} )->rect;
        return {
            ok     => JSON::PP::true,
            x      => $r->pos_x + 0,
            y      => $r->pos_y + 0,
            width  => $r->width + 0,
            height => $r->height + 0,
        };
    },
    count => sub {
        my ($c) = @_;
        my @e = $ff->has_selector( $c->{css} );
        @e = grep { defined } @e;
        return { ok => JSON::PP::true, count => scalar @e };
    },
    shot => sub {
        my ($c) = @_;
        my $png = $ff->selfie( raw => 1 );
        open my $fh, '>:raw', $c->{path} or die "cannot write $c->{path}: $!\n";
        print {$fh} $png or die "cannot write $c->{path}: $!\n";
        close $fh or die "cannot write $c->{path}: $!\n";
        return { ok => JSON::PP::true, bytes => length $png };
    },
    pref => sub {
        # get_pref needs -remote-allow-system-access; read the profile's
        # prefs.js instead (what this Firefox started with).
        my ($c) = @_;
        my $path = $ff->profile_directory . '/prefs.js';
        open my $fh, '<', $path or die "cannot read $path: $!\n";
        my $v;
        while ( my $l = <$fh> ) {
            if ( $l =~ /^user_pref\("\Q$c->{name}\E",\s*(.*)\);\s*$/ ) {
                $v = $1;
                $v =~ s/^"(.*)"$/$1/;
            }
        }
        close $fh;
        return { ok => JSON::PP::true, value => $v };
    },
);

while ( my $line = <STDIN> ) {
    my $c = eval { $json->decode($line) };
    if ( !$c || !$c->{cmd} ) {
        answer( { ok => JSON::PP::false, error => 'bad command' } );
        next;
    }
    last if $c->{cmd} eq 'quit';
    my $f = $cmds{ $c->{cmd} };
    if ( !$f ) {
        answer( { ok => JSON::PP::false, error => "unknown command $c->{cmd}" } );
        next;
    }
    my $r = eval { $f->($c) };
    if ( !$r ) {
        my $e = $@ || 'failed';
        $e =~ s/\s+$//;
        answer( { ok => JSON::PP::false, error => "$e" } );
        next;
    }
    answer($r);
}
eval { $ff->quit; 1 };
answer( { ok => JSON::PP::true, quit => JSON::PP::true } );
exit 0;
