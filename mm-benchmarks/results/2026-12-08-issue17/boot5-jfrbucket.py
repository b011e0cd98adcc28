import json, subprocess, sys, collections
# bucket each sample by the first frame (from the bottom-most lab-relevant) matching a list of markers
markers=[('MemMap.<init>','MemMap ctor'),('Meminfo.countMemmap','meminfo scan'),('LabReadiness.check','readiness look'),
 ('getAvailableLocales','Locale.getAvailableLocales'),('MimeTypes','Jetty MimeTypes'),('jdk/internal/loader','jdk loader'),
 ('org/apache/felix/scr/impl/xml','SCR xml'),('org/apache/felix/scr','SCR other'),('org/eclipse/jetty','Jetty other'),('org/apache/felix/webconsole','webconsole'),
 ('org/apache/felix/cm','ConfigAdmin'),('org/apache/felix/framework','Felix fw'),('aQute','bnd launcher'),('org/apache/felix/gogo','gogo'),('org/mmlab','mmlab other')]
c=collections.Counter(); tot=0
for f in sys.argv[1:]:
    d=json.loads(subprocess.run(['jfr','print','--json','--events','jdk.ExecutionSample',f],capture_output=True,text=True).stdout)
    for e in d['recording']['events']:
        st=e['values']['stackTrace']
        if not st: continue
        s=' '.join(fr['method']['type']['name']+'.'+fr['method']['name'] for fr in st['frames'])
        tot+=1
        for m,name in markers:
            if m in s: c[name]+=1; break
        else: c['other']+=1
print('samples',tot)
for k,n in c.most_common(): print(f'{k:28s} {n:5d} {100*n/tot:5.1f}%')
